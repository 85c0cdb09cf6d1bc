import GiterCodec
import Testing

@Suite struct JSONReaderTests {
    let reader = JSONReader()

    /// The error `text` gives, or a recorded issue when it is accepted.
    func failure(_ text: String, limits: ParseLimits = .default) -> CodecError? {
        do {
            let node = try JSONReader(limits: limits).read(text)
            Issue.record("expected an error for \(String(reflecting: text)), read \(node)")
        } catch let error as CodecError {
            return error
        } catch {
            Issue.record("expected a CodecError, got \(error)")
        }
        return nil
    }

    // MARK: Values

    @Test func scalars() throws {
        #expect(try reader.read("null") == .null)
        #expect(try reader.read("true") == true)
        #expect(try reader.read(" false\n") == false)
        #expect(try reader.read(#""hi""#) == "hi")
        #expect(try reader.read("-12.5e+3").number?.text == "-12.5e+3")
        #expect(try reader.read("0").number?.integer(as: Int.self) == 0)
        #expect(try reader.read("123456789012345678901234567890").number?.text == "123456789012345678901234567890")
    }

    @Test func containersKeepOrder() throws {
        let node = try reader.read(#"{"b": [1, "two", null], "a": {"x": true}, "c": []}"#)
        #expect(node.mapping?.keys == ["b", "a", "c"])
        #expect(node == ["b": [1, "two", nil], "a": ["x": true], "c": []])
        #expect(try reader.read("[]") == [])
        #expect(try reader.read("{}") == [:])
        #expect(try reader.read(" [ [ ] , { } ] ") == [[], [:]])
    }

    @Test func stringEscapes() throws {
        let node = try reader.read(#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20AC\uD83D\uDE00\u0000""#)
        #expect(node.string == "a\"b\\c/d\u{8}\u{C}\n\r\tAé€😀\u{0}")
        #expect(try reader.read("\"héllo €😀\"").string == "héllo €😀")
        #expect(try reader.read(#""\u00e9 é""#).string == "é é")
    }

    @Test func bytesAndStringInputAgree() throws {
        let text = #"{"name": "café", "n": [1, 2.5]}"#
        #expect(try reader.read(Array(text.utf8)) == reader.read(text))
    }

    // MARK: Locations

    @Test func nodeAndKeyLocations() throws {
        let text = "{\n  \"kind\": \"Job\",\n  \"spec\": [1, \"é\", 3]\n}"
        let node = try reader.read(text)
        #expect(node.location == SourceLocation(line: 1, column: 1, offset: 0))
        let mapping = try #require(node.mapping)
        #expect(mapping.entries[0].keyLocation == SourceLocation(line: 2, column: 3, offset: 4))
        #expect(mapping.entries[0].value.location == SourceLocation(line: 2, column: 11, offset: 12))
        #expect(mapping.entries[1].keyLocation == SourceLocation(line: 3, column: 3, offset: 21))
        let items = try #require(node["spec"]?.sequence)
        #expect(items[0].location == SourceLocation(line: 3, column: 12, offset: 30))
        #expect(items[1].location == SourceLocation(line: 3, column: 15, offset: 33))
        // "é" is two bytes but one column.
        #expect(items[2].location == SourceLocation(line: 3, column: 20, offset: 39))
    }

    @Test func columnsCountScalarsAfterNonASCII() {
        let error = failure(#"["€😀", x]"#)
        #expect(error?.location == SourceLocation(line: 1, column: 8, offset: 12))
    }

    @Test func crlfAndLoneCRAreLineBreaks() throws {
        let node = try reader.read("[\r\n1,\r2]")
        #expect(node[0]?.location?.line == 2)
        #expect(node[1]?.location == SourceLocation(line: 3, column: 1, offset: 6))
    }

    // MARK: Errors

    @Test(arguments: [
        ("[1,]", "1:4: trailing comma before ']'; remove the comma"),
        (#"{"a":1,}"#, "1:8: trailing comma before '}'; remove the comma"),
        ("[1 2]", "1:4: unexpected '2' after array element; expected ',' or ']'"),
        (#"{"a":1 "b":2}"#, #"1:8: unexpected '"' after object member; expected ',' or '}'"#),
        (#"{"a" 1}"#, "1:6: unexpected '1' after object key; expected ':'"),
        ("{1:2}", "1:2: unexpected '1'; expected an object key in double quotes"),
        ("[01]", "1:2: leading zeros are not allowed in JSON numbers"),
        ("[-01]", "1:2: leading zeros are not allowed in JSON numbers"),
        ("+1", "1:1: a JSON number cannot start with '+'"),
        (".5", "1:1: a JSON number must start with a digit, as in 0.5"),
        ("1.", "1:3: expected a digit after '.' in a number, found end of input"),
        ("1e", "1:3: expected a digit in the exponent, found end of input"),
        ("[1.5x]", "1:5: unexpected 'x' in a number"),
        ("NaN", "1:1: 'NaN' is not a JSON number; JSON has no NaN or infinities"),
        ("[-Infinity]", "1:2: -Infinity is not a JSON number; JSON has no infinities"),
        ("True", "1:1: invalid literal 'True'; JSON's literals are true, false and null, in lowercase"),
        ("['a']", "1:2: strings must be in double quotes, not single quotes"),
        ("[1] // note", "1:5: unexpected '/' after the JSON value; expected end of input"),
        ("/* c */ 1", "1:1: comments are not allowed in JSON"),
        ("", "1:1: empty input; expected a JSON value"),
        ("  \n ", "2:2: empty input; expected a JSON value"),
        ("[", "1:2: unexpected end of input; expected a value"),
        ("[1", "1:3: unexpected end of input after array element; expected ',' or ']' (the container opened at 1:1)"),
        (
            "{\"a\":1",
            "1:7: unexpected end of input after object member; expected ',' or '}' (the container opened at 1:1)"
        ),
        ("\"abc", "1:1: unterminated string: end of input before the closing '\"'"),
        ("\"a\nb\"", "1:3: control character U+000A in string; write it as \\n (strings cannot span lines)"),
        ("\"a\u{1}\"", "1:3: control character U+0001 in string; write it as \\u0001"),
        (#""\x""#, #"1:2: invalid escape '\x' in string; JSON allows \" \\ \/ \b \f \n \r \t and \uXXXX"#),
        (#""\u12G4""#, "1:2: invalid \\u escape: expected 4 hexadecimal digits, found 'G'"),
        ("1 2", "1:3: unexpected '2' after the JSON value; expected end of input"),
        ("[1]\n\n  x", "3:3: unexpected 'x' after the JSON value; expected end of input"),
        ("\u{A0}1", "1:1: unexpected '\u{A0}' (U+00A0); expected a value"),
    ])
    func syntaxErrors(text: String, expected: String) {
        #expect(failure(text)?.description == expected)
    }

    @Test func surrogateEscapes() {
        let lone = failure(#"["\uD800"]"#)
        #expect(lone?.code == .invalidEncoding)
        #expect(lone?.location == SourceLocation(line: 1, column: 3, offset: 2))
        #expect(lone?.message.contains("lone surrogate escape \\uD800") == true)
        #expect(failure(#""\uDC00""#)?.code == .invalidEncoding)
        #expect(failure(#""\uD800\u0041""#)?.code == .invalidEncoding)
        #expect(failure(#""\uD800\n""#)?.code == .invalidEncoding)
    }

    @Test(
        arguments: [
            [0x22, 0xFF, 0x22],  // invalid byte
            [0x22, 0xC3, 0x22],  // truncated sequence
            [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
            [0x5B, 0xE9, 0x5D],  // Latin-1 outside a string
        ] as [[UInt8]]
    )
    func invalidUTF8IsAnError(bytes: [UInt8]) {
        let error = #expect(throws: CodecError.self) { try JSONReader().read(bytes) }
        #expect(error?.code == .invalidEncoding)
    }

    @Test func duplicateKeys() {
        let error = failure("{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}")
        #expect(error?.code == .duplicateKey)
        #expect(error?.location == SourceLocation(line: 4, column: 3, offset: 24))
        #expect(
            error?.message == #"duplicate key "a" in object (first at line 2, column 3); each key may appear only once"#
        )
        // The same key in different objects is fine.
        #expect((try? reader.read(#"[{"a":1},{"a":2}]"#)) != nil)
    }

    @Test func duplicateKeysInLargeObjects() throws {
        let members = (0..<40).map { #""k\#($0)":\#($0)"# }
        let valid = "{" + members.joined(separator: ",") + "}"
        #expect(try reader.read(valid).mapping?.count == 40)
        for duplicate in ["k0", "k17", "k39"] {
            let error = failure("{" + members.joined(separator: ",") + #","\#(duplicate)":0}"#)
            #expect(error?.code == .duplicateKey)
            #expect(error?.message.hasPrefix("duplicate key \"\(duplicate)\"") == true)
        }
    }

    /// A key with escapes is kept on the tape's side text, one without in the
    /// input: a duplicate is found across the two, in a small object (keys
    /// compared one by one) and a large one (the hash index), and the error
    /// names where the first of them is.
    @Test(arguments: [2, 40])
    func duplicateKeysWrittenWithEscapes(earlierKeys: Int) throws {
        let members = (0..<earlierKeys).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        // The first "ab" escaped, the second plain; then the other way round.
        for (first, second) in [(#""a\u0062""#, #""ab""#), (#""ab""#, #""a\u0062""#)] {
            let text = "{" + members + ",\n " + first + ":1,\n " + second + ":2}"
            let error = failure(text)
            #expect(error?.code == .duplicateKey)
            #expect(error?.location?.line == 3 && error?.location?.column == 2)
            let message = error?.message ?? ""
            #expect(message.hasPrefix(#"duplicate key "ab" in object (first at line 2, column 2)"#), "\(message)")
        }
        // Escaped and plain non-ASCII keys that are equal Swift strings ("é"
        // escaped, then decomposed as it is), and escaped keys that differ.
        #expect(failure("{" + members + #","caf\u00e9":1,"cafe\#u{301}":2}"#)?.code == .duplicateKey)
        let distinct = try reader.read("{" + members + #","a\u0062":1,"a\u0063":2,"ab\n":3}"#)
        #expect(distinct.mapping?.count == earlierKeys + 3)
    }

    // MARK: Limits

    @Test func depthLimit() throws {
        let limits = ParseLimits(maxDepth: 3)
        #expect(try JSONReader(limits: limits).read("[[{\"a\":1}]]") == [[["a": 1]]])
        // An empty array is a level too.
        let error = failure("[[{\"a\":[]}]]", limits: limits)
        #expect(error?.code == .limitExceeded)
        #expect(error?.location == SourceLocation(line: 1, column: 8, offset: 7))
        #expect(error?.message == "arrays and objects nested deeper than 3 levels; raise ParseLimits.maxDepth")
        // The default limit stops a very deep input with an error, not a stack overflow.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(failure(deep)?.code == .limitExceeded)
    }

    @Test func inputSizeLimit() {
        let error = failure("[1, 2, 3]", limits: ParseLimits(maxInputBytes: 8))
        #expect(error?.code == .limitExceeded)
        #expect(error?.message.contains("9 bytes") == true)
        #expect((try? JSONReader(limits: ParseLimits(maxInputBytes: 9)).read("[1, 2, 3]")) != nil)
    }

    // MARK: BOM and streams

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"a\": x}".utf8)
        #expect(try reader.read([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == [:])
        #expect(try reader.read("\u{FEFF}[1]") == [1])
        do {
            _ = try reader.read(bytes)
            Issue.record("expected an error")
        } catch let error as CodecError {
            // Column 7 (the BOM is not a column), offset 9 (it is counted in bytes).
            #expect(error.location == SourceLocation(line: 1, column: 7, offset: 9))
        }
        // A BOM anywhere else is not whitespace.
        #expect(failure("[1] \u{FEFF}")?.code == .syntax)
    }

    @Test func streams() throws {
        #expect(try reader.readStream("") == [])
        #expect(try reader.readStream(" \n ") == [])
        #expect(try reader.readStream("{\"a\":1}\n{\"a\":2}\n") == [["a": 1], ["a": 2]])
        #expect(try reader.readStream(Array("1 \"x\"\tnull\r\n[]".utf8)) == [1, "x", nil, []])
        let nodes = try reader.readStream("{}\n  [true]")
        #expect(nodes[1][0]?.location == SourceLocation(line: 2, column: 4, offset: 6))
        #expect(throws: CodecError.self) { try reader.readStream("{}{}") }
        #expect(throws: CodecError.self) { try reader.readStream("{}\n{") }
        let error = #expect(throws: CodecError.self) {
            try JSONReader(limits: ParseLimits(maxDocuments: 2)).readStream("1 2 3")
        }
        #expect(error?.code == .limitExceeded)
    }

    // MARK: Word-at-a-time scanning

    /// Special bytes at every offset around the eight-byte words the string
    /// scanner reads.
    @Test(arguments: 0..<20)
    func specialBytesAtEveryOffset(prefixLength: Int) throws {
        let prefix = String(repeating: "a", count: prefixLength)
        let suffix = String(repeating: "b", count: 9)
        #expect(try reader.read("\"\(prefix)\\n\(suffix)\"").string == prefix + "\n" + suffix)
        #expect(try reader.read("\"\(prefix)\\\"\(suffix)\"").string == prefix + "\"" + suffix)
        #expect(try reader.read("\"\(prefix)é😀\(suffix)\"").string == prefix + "é😀" + suffix)
        #expect(try reader.read("\"\(prefix)\"").string == prefix)
        let control = failure("\"\(prefix)\u{1F}\(suffix)\"")
        #expect(control?.location == SourceLocation(line: 1, column: prefixLength + 2, offset: prefixLength + 1))
        let bytes = Array("\"\(prefix)".utf8) + [0xFF] + Array("\(suffix)\"".utf8)
        let error = #expect(throws: CodecError.self) { try JSONReader().read(bytes) }
        #expect(error?.code == .invalidEncoding)
        #expect(error?.location?.offset == prefixLength + 1)
        let unterminated = failure("\"\(prefix)")
        #expect(unterminated?.description == "1:1: unterminated string: end of input before the closing '\"'")
    }
}
