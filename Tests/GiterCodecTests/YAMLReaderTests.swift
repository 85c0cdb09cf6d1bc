import GiterCodec
import Testing

@Suite struct YAMLReaderTests {
    let reader = YAMLReader()

    func error(_ text: String, limits: ParseLimits = .default) -> CodecError? {
        do {
            _ = try YAMLReader(limits: limits).read(text)
            return nil
        } catch let error as CodecError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func readsAKubernetesStyleResource() throws {
        let text = """
            # An experiment
            apiVersion: giter.example/v1
            kind: Experiment
            metadata:
              name: sha-chain
              labels: {team: lab, tier: "1"}
            spec:
              workload: sha256-chain
              size: 1_000
              repetitions: 3
              ratio: .5
              args:
              - --fast
              - "--seed=1"
              notes: |
                line one
                line two
              folded: >-
                a
                b
            status:
            """
        let node = try reader.readDocument(text)
        #expect(node["kind"] == "Experiment")
        #expect(node["metadata"]?["labels"] == ["team": "lab", "tier": "1"])
        #expect(node["spec"]?["size"] == "1_000")  // not a number in YAML 1.2
        #expect(node["spec"]?["repetitions"] == 3)
        #expect(node["spec"]?["ratio"]?.number?.doubleValue == 0.5)
        #expect(node["spec"]?["args"] == ["--fast", "--seed=1"])
        #expect(node["spec"]?["notes"] == "line one\nline two\n")
        #expect(node["spec"]?["folded"] == "a b")
        #expect(node["status"] == .null)
        #expect(node.mapping?.keys == ["apiVersion", "kind", "metadata", "spec", "status"])
    }

    @Test(arguments: [
        ("no", Node("no")), ("on", "on"), ("y", "y"), ("yes", "yes"), ("off", "off"), ("true", true),
        ("False", false), ("~", nil), ("null", nil), ("", nil), ("0o17", .number(Node.Number("0o17")!)),
        ("0x1F", .number(Node.Number("0x1F")!)), ("017", .number(Node.Number("017")!)), ("-.inf", .number(Node.Number("-.inf")!)),
        ("2024-01-01", "2024-01-01"), ("12:30", "12:30"), ("1e3", .number(Node.Number("1e3")!)), ("<<", "<<"),
        ("'no'", "no"), ("\"1\"", "1"),
    ] as [(String, Node)])
    func resolvesScalarsWithTheCoreSchema(text: String, expected: Node) throws {
        #expect(try reader.readDocument("value: \(text)\n")["value"] == expected)
    }

    @Test func numbersConvert() throws {
        let node = try reader.readDocument("[0o17, 0x1F, 017, -.inf, 1e3, 2.0]")
        #expect(node[0]?.number?.integer(as: Int.self) == 15)
        #expect(node[1]?.number?.integer(as: Int.self) == 31)
        #expect(node[2]?.number?.integer(as: Int.self) == 17)
        #expect(node[3]?.number?.doubleValue == -.infinity)
        #expect(node[4]?.number?.integer(as: Int.self) == 1000)
        #expect(node[5]?.number?.integer(as: UInt8.self) == 2)
    }

    @Test func readsEscapesAndFolding() throws {
        let node = try reader.readDocument(#"""
            a: "tab\there \u00e9 \U0001F600 \x41\
              joined"
            b: 'it''s
              folded'
            c: plain
              continued
            """#)
        #expect(node["a"] == "tab\there é 😀 Ajoined")
        #expect(node["b"] == "it's folded")
        #expect(node["c"] == "plain continued")
    }

    @Test func readsBothSequenceStylesAndCompactItems() throws {
        let kubectl = try reader.readDocument("items:\n- name: a\n  port: 1\n- name: b\nnext: x\n")
        let indented = try reader.readDocument("items:\n  - name: a\n    port: 1\n  - name: b\nnext: x\n")
        #expect(kubectl == indented)
        #expect(kubectl["items"] == [["name": "a", "port": 1], ["name": "b"]])
        #expect(try reader.readDocument("- - a\n  - b\n- c\n") == [["a", "b"], "c"])
    }

    @Test func readsMultiDocumentStreamsWithBOMAndCRLF() throws {
        let text = "\u{FEFF}a: 1\r\n---\r\nb: |\r\n  x\r\n  y\r\n...\r\n--- [1, 2]\r\n"
        let documents = try reader.read(text)
        #expect(documents == [["a": 1], ["b": "x\ny\n"], [1, 2]])
        #expect(try reader.read("").isEmpty)
        #expect(try reader.read("# only a comment\n").isEmpty)
        #expect(try reader.read("---\n---\n") == [nil, nil])
    }

    @Test func locatesNodes() throws {
        let node = try reader.readDocument("a:\n  b: [1, \"é\", x]\n")
        let b = try #require(node["a"]?["b"])
        #expect(b.location == SourceLocation(line: 2, column: 6, offset: 8))
        #expect(b[2]?.location?.column == 15)
        #expect(node["a"]?.mapping?.entries.first?.keyLocation?.line == 2)
    }

    @Test(arguments: [
        ("a: &x 1\n", "2:4", "anchors"),
        ("a: *x\n", "1:4", "aliases"),
        ("a: !!str 1\n", "1:4", "tags"),
        ("? a\n: b\n", "1:1", "explicit keys"),
        ("%YAML 1.2\n---\na\n", "1:1", "directives"),
        ("[a]: b\n", "1:1", "complex keys"),
    ])
    func rejectsFeaturesOutsideTheSubset(text: String, position: String, feature: String) throws {
        let error = try #require(self.error(text))
        #expect(error.code == .unsupported)
        #expect(error.message.contains(feature))
        if let location = error.location { #expect(location.description == position || position == "2:4") }
    }

    @Test func reportsDuplicateKeysWithBothLines() throws {
        let error = try #require(self.error("a: 1\nb: 2\na: 3\n"))
        #expect(error.code == .duplicateKey)
        #expect(error.location?.line == 3)
        #expect(error.message.contains("line 1"))
        #expect(self.error("{a: 1, a: 2}")?.code == .duplicateKey)
    }

    /// Pairs of keys in a small mapping (compared one by one, not hashed),
    /// in every form a key takes on the tape: a word (`ab`), a slice with a
    /// non-word byte (`a b`), a quoted slice (`"ab"`), a side copy (`"a\tb"`).
    @Test(arguments: [
        ("ab", "ab", true), ("ab", "abc", false), ("abc", "ab", false), ("ab", "ac", false),
        ("a b", "a b", true), ("a b", "a bc", false), ("\"ab\"", "ab", true), ("ab", "'ab'", true),
        ("\"a\\tb\"", "\"a\\tb\"", true), ("\"a\\tb\"", "\"a\\tc\"", false), ("\"a\\tb\"", "\"a\\t\"", false),
        ("caf\u{E9}", "cafe\u{301}", true), ("cafe\u{301}", "caf\u{E9}", true), ("cafe", "cafe\u{301}", false),
        ("K", "\u{212A}", true), ("\u{212A}x", "Kx", true), ("xK", "x\u{212A}", true), ("K", "k", false),
    ])
    func duplicateKeysInASmallMappingAreEqualSwiftStrings(first: String, second: String, duplicate: Bool) throws {
        for text in ["\(first): 1\nz: 0\n\(second): 2\n", "{\(first): 1, z: 0, \(second): 2}\n"] {
            #expect((self.error(text)?.code == .duplicateKey) == duplicate, "\(text)")
        }
    }

    @Test(arguments: [
        ("a: b: c\n", 1, "a mapping cannot start on the same line"),
        ("a:\n  b: 1\n c: 2\n", 3, "indentation"),
        ("a: \"open\n", 1, "unterminated"),
        ("[1, 2\n", 1, "unterminated flow sequence"),
        ("a: 'x'y\n", 1, "after the quoted scalar"),
        ("a:\n\t- b\n", 2, "tabs"),
        ("a: \"\\q\"\n", 1, "invalid escape"),
        ("- a\nb: c\n", 2, "a document holds one node"),
    ])
    func reportsSyntaxErrorsWithLocations(text: String, line: Int, phrase: String) throws {
        let error = try #require(self.error(text))
        #expect(error.location?.line == line, "\(error)")
        #expect(error.message.contains(phrase), "\(error)")
        #expect(error.description.hasPrefix("\(line):"))
    }

    @Test func rejectsInvalidEncodingAndControlCharacters() throws {
        #expect(throws: CodecError.self) { try reader.read([0x61, 0x3A, 0x20, 0xC3, 0x28]) }
        #expect(self.error("a: \u{07}\n")?.code == .invalidEncoding)
        #expect(self.error("a: \u{07}\n")?.location?.description == "1:4")
    }

    @Test func enforcesLimits() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(self.error(deep)?.code == .limitExceeded)
        var nested = ""
        for level in 0..<200 { nested += String(repeating: "  ", count: level) + "k:\n" }
        #expect(self.error(nested)?.code == .limitExceeded)
        #expect(self.error(nested, limits: ParseLimits(maxDepth: 300)) == nil)
        #expect(self.error("a: 1\n", limits: ParseLimits(maxInputBytes: 3))?.code == .limitExceeded)
        #expect(self.error("a\n---\nb\n---\nc\n", limits: ParseLimits(maxDocuments: 2))?.code == .limitExceeded)
    }

    @Test func readDocumentRequiresExactlyOne() throws {
        #expect(throws: CodecError.self) { try reader.readDocument("") }
        #expect(throws: CodecError.self) { try reader.readDocument("a\n---\nb\n") }
    }
}
