import GiterCodec
import Testing

@Suite struct JSONWriterTests {
    let compact = JSONWriter()
    let pretty = JSONWriter(options: .pretty)

    static let sample: Node = [
        "apiVersion": "example.com/v1",
        "kind": "Job",
        "metadata": ["name": "a", "labels": [:]],
        "spec": ["replicas": 3, "ratio": 0.5, "args": ["x", true, nil], "empty": []],
    ]

    @Test func compactOutput() throws {
        #expect(
            try compact.write(Self.sample)
                == #"{"apiVersion":"example.com/v1","kind":"Job","metadata":{"name":"a","labels":{}},"#
                + #""spec":{"replicas":3,"ratio":0.5,"args":["x",true,null],"empty":[]}}"#
        )
    }

    @Test func prettyOutput() throws {
        let expected = """
            {
              "apiVersion": "example.com/v1",
              "kind": "Job",
              "metadata": {
                "name": "a",
                "labels": {}
              },
              "spec": {
                "replicas": 3,
                "ratio": 0.5,
                "args": [
                  "x",
                  true,
                  null
                ],
                "empty": []
              }
            }
            """
        #expect(try pretty.write(Self.sample) == expected)
    }

    @Test func scalarsAtTheTop() throws {
        #expect(try compact.write(nil) == "null")
        #expect(try pretty.write(false) == "false")
        #expect(try pretty.write("x") == #""x""#)
        #expect(try pretty.write([]) == "[]")
        #expect(try compact.write([[], [:], [[]]]) == "[[],{},[[]]]")
    }

    @Test func sortedKeysUseUTF8ByteOrder() throws {
        let node: Node = ["b": 1, "B": 2, "a": ["é": 1, "z": 2, "e": 3], "": 0, "ab": 4]
        let writer = JSONWriter(options: .init(sortedKeys: true))
        #expect(try writer.write(node) == #"{"":0,"B":2,"a":{"e":3,"z":2,"é":1},"ab":4,"b":1}"#)
        let sortedPretty = JSONWriter(options: .init(pretty: true, sortedKeys: true))
        #expect(try sortedPretty.write(["b": 1, "a": 2]) == "{\n  \"a\": 2,\n  \"b\": 1\n}")
        // Without the option, insertion order is kept.
        #expect(try compact.write(["b": 1, "a": 2]) == #"{"b":1,"a":2}"#)
    }

    @Test func escaping() throws {
        let node = Node.string("q\" b\\ / \u{8}\u{C}\n\r\t \u{0}\u{1F}\u{7F} é€😀 \u{2028}")
        #expect(try compact.write(node) == #""q\" b\\ / \b\f\n\r\t \u0000\u001f"# + "\u{7F} é€😀 \u{2028}\"")
        #expect(try compact.write(["ke\"y\n": 1]) == #"{"ke\"y\n":1}"#)
    }

    @Test func numbers() throws {
        let numbers: [Node] = [
            .number(Node.Number(12)), .number(Node.Number(-0.25)), .number(try #require(Node.Number("-0"))),
            .number(try #require(Node.Number("1E400"))), .number(try #require(Node.Number("0x1F"))),
            .number(try #require(Node.Number("+3"))), .number(try #require(Node.Number(".5"))),
            .number(try #require(Node.Number("007"))),
        ]
        #expect(try compact.write(.sequence(numbers)) == "[12,-0.25,-0,1E400,31,3,0.5,7]")
    }

    @Test(arguments: [Double.infinity, -Double.infinity, Double.nan])
    func nonFiniteNumbersAreErrors(value: Double) throws {
        let location = SourceLocation(line: 3, column: 7, offset: 20)
        let node: Node = ["spec": ["ratio": Node(.number(Node.Number(value)), location: location)]]
        let error = #expect(throws: CodecError.self) { try compact.write(node) }
        #expect(error?.code == .invalidValue)
        #expect(error?.location == location)
        #expect(error?.message.hasPrefix("JSON cannot represent \(Node.Number(value).text);") == true)
        #expect(throws: CodecError.self) { try pretty.writeBytes(node) }
    }

    @Test func writeBytesMatchesWrite() throws {
        #expect(try compact.writeBytes(Self.sample) == Array(compact.write(Self.sample).utf8))
    }

    @Test(arguments: [
        JSONWriter.Options(), JSONWriter.Options(pretty: true), JSONWriter.Options(pretty: true, sortedKeys: true),
    ])
    func roundTripThroughTheReader(options: JSONWriter.Options) throws {
        let trees: [Node] = [
            Self.sample,
            ["": "", "nested": [[[["deep": [1, [2, [3]]]]]]], "unicode": "é€😀\u{0}\u{1}\"\\/"],
            [-1, 0, 1.5, 1e-7, 123_456_789_012, true, false, nil, "", [], [:]],
            "just a string\nwith lines",
        ]
        for tree in trees {
            let text = try JSONWriter(options: options).write(tree)
            let back = try JSONReader().read(text)
            if options.sortedKeys {
                #expect(try JSONWriter(options: options).write(back) == text)
            } else {
                #expect(back == tree, "round trip of \(text)")
            }
        }
    }

    /// Characters to escape at every offset around the eight-byte words the
    /// escaper reads.
    @Test(arguments: 0..<20)
    func escapesAtEveryOffset(prefixLength: Int) throws {
        let prefix = String(repeating: "a", count: prefixLength)
        let suffix = String(repeating: "b", count: 9)
        let cases: [(raw: String, escaped: String)] = [
            ("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\u{1}", #"\u0001"#), ("\u{1F}", #"\u001f"#),
            (" ", " "), ("\u{7F}", "\u{7F}"), ("é", "é"), ("/", "/"),
        ]
        for (raw, escaped) in cases {
            let text = try compact.write(.string(prefix + raw + suffix))
            #expect(text == "\"" + prefix + escaped + suffix + "\"")
            #expect(try JSONReader().read(text).string == prefix + raw + suffix)
        }
    }

    /// Seeded random strings over an alphabet heavy in characters that need
    /// escaping survive writer → reader.
    @Test func randomStringsRoundTrip() throws {
        let alphabet: [Character] = [
            "a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<500 {
            let string = String((0..<next(40)).map { _ in alphabet[next(alphabet.count)] })
            let node: Node = ["k" + string: [.string(string)]]
            for writer in [compact, pretty] {
                let text = try writer.write(node)
                #expect(try JSONReader().read(text) == node, "\(String(reflecting: string)) written as \(text)")
            }
        }
    }
}
