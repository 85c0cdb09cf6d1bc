import GiterCodec
import Testing

/// Nodes read from text are views of the parsed text: they must behave as
/// the trees built in code that they stand for (issue 12).
@Suite struct TapeBackedNodeTests {
    @Test func aReadTreeEqualsAndHashesLikeTheTreeBuiltInCode() throws {
        let read = try YAMLReader().readDocument("a: 1\nb: [x, {c: true}, null]\nkey-12: value 12\n")
        let built: Node = ["a": 1, "b": ["x", ["c": true], nil], "key-12": "value 12"]
        #expect(read == built)
        #expect(built == read)
        #expect(read.hashValue == built.hashValue)
        #expect(Set([read, built]).count == 1)
        #expect(read != ["a": 1])
        let json = try JSONReader().read(#"{"a":1,"b":["x",{"c":true},null],"key-12":"value 12"}"#)
        #expect(json == read)
    }

    @Test func shortWordsAndNumbersReadWhole() throws {
        let node = try YAMLReader().readDocument("a.b/c+d: x-1_2\nn: -1.5e3\nw: \(String(repeating: "w", count: 40))\n")
        #expect(node["a.b/c+d"]?.string == "x-1_2")
        #expect(node["n"]?.number?.text == "-1.5e3")
        #expect(node["w"]?.string == String(repeating: "w", count: 40))
        let json = try JSONReader().read(#"[1e5,-0.5,12345678901234567890123456789012345,"k"]"#)
        #expect(json.sequence?.compactMap(\.number?.text) == ["1e5", "-0.5", "12345678901234567890123456789012345"])
        #expect(json[3]?.string == "k")
    }

    @Test func locationsCountCharactersAfterAByteOrderMarkAndCRLF() throws {
        let text = "\u{FEFF}a: 1\r\n\u{E9}: [1, y]\r\nc: {d: e}\r\n"
        let node = try YAMLReader().readDocument(Array(text.utf8))
        let y = try #require(node["\u{E9}"]?[1])
        #expect(y.location == SourceLocation(line: 2, column: 8, offset: 3 + 6 + 8))
        let d = try #require(node["c"]?.mapping?.entry(forKey: "d"))
        #expect(d.keyLocation == SourceLocation(line: 3, column: 5, offset: 3 + 6 + 12 + 4))
        #expect(d.value.location?.description == "3:8")
        let json = try JSONReader().read("\u{FEFF}{\r\n  \"\u{E9}\": [1, \"y\"]\r\n}")
        #expect(json["\u{E9}"]?[1]?.location == SourceLocation(line: 2, column: 12, offset: 3 + 3 + 12))
    }

    @Test func editingAReadNodeChangesOneLevelAndKeepsLocations() throws {
        var root = try #require(try YAMLReader().readDocument("a: 1\nb:\n  c: 2\n  d: [3]\n").mapping)
        let before = root
        root["a"] = "changed"
        root["e"] = 5
        #expect(root["a"] == "changed")
        #expect(root.keys == ["a", "b", "e"])
        #expect(root.entry(forKey: "b")?.keyLocation?.description == "2:1")
        #expect(root["b"]?["d"]?.location?.description == "4:6")
        #expect(before["a"] == 1, "the value read before is unchanged")
        var spec = try #require(root["b"])
        spec.content = .null
        #expect(spec.location?.description == "3:3", "a changed node keeps its location")
        #expect(root["b"]?["c"] == 2)
    }

    @Test func locationsAreTheSameFromManyTasksAtOnce() async throws {
        let lines = (0..<2_000).map { "key-\($0): [\($0), caf\u{E9}]" }.joined(separator: "\n")
        let node = try YAMLReader().readDocument(lines)
        let mapping = try #require(node.mapping)
        let columns = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { mapping.map { "\($0.keyLocation!) \($0.value[1]!.location!)" } }
            }
            return await group.reduce(into: Set<[String]>()) { $0.insert($1) }
        }
        #expect(columns.count == 1)
        #expect(columns.first?.last == "2000:1 2000:18")
    }
}
