import Foundation
import GiterCodec
import Testing

/// Decoding a `Node` tree goes through the same decoder as text, over a tape
/// written from the tree: values, coding paths and the trees' locations.
@Suite struct TreeDecodingTests {
    struct Port: Decodable, Equatable {
        var name: String
        var port: UInt16
    }

    @Test("an error in a tree read from text names the node's line and column")
    func errorsUseTheNodesLocations() throws {
        let node = try YAMLReader().readDocument("ports:\n  - name: http\n    port: [80]\n")
        let error = try #require(throws: DecodingError.self) {
            try DocumentDecoder().decode([String: [Port]].self, from: node)
        }
        guard case .typeMismatch(_, let context) = error else {
            Issue.record("expected a type mismatch, got \(error)")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["ports", "Index 0", "port"])
        #expect(context.debugDescription == "Expected UInt16 but found a sequence at line 3, column 11")
    }

    @Test("a missing key names the mapping's location; a tree built in code has none")
    func missingKeyLocations() throws {
        let read = try YAMLReader().readDocument("first: 1\nport:\n  name: x\n")
        let error = try #require(throws: DecodingError.self) {
            try DocumentDecoder().decode([String: Port].self, from: ["port": read["port"]!])
        }
        guard case .keyNotFound(_, let context) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(context.debugDescription == "No value for key \"port\" in the mapping at line 3, column 3")
        let built: Node = ["name": "x", "port": "eighty"]
        let builtError = try #require(throws: DecodingError.self) { try DocumentDecoder().decode(Port.self, from: built) }
        guard case .typeMismatch(_, let builtContext) = builtError else {
            Issue.record("expected a type mismatch, got \(builtError)")
            return
        }
        #expect(builtContext.debugDescription == "Expected UInt16 but found a string")
    }

    @Test("a Node decoded from a tree is that tree, locations included")
    func nodeFromATree() throws {
        struct Envelope: Decodable {
            var spec: Node
        }
        let tree = try YAMLReader().readDocument("kind: x\nspec:\n  a: [1, {b: c}]\n")
        #expect(try DocumentDecoder().decode(Node.self, from: tree) == tree)
        let spec = try DocumentDecoder().decode(Envelope.self, from: tree).spec
        #expect(spec == tree["spec"])
        #expect(spec.location == tree["spec"]?.location)
        #expect(spec["a"]?[1]?.location == SourceLocation(line: 3, column: 10, offset: 23))
        #expect(spec.mapping?.entries.first?.keyLocation == SourceLocation(line: 3, column: 3, offset: 16))
    }

    @Test("superDecoder(forKey:) of an absent key decodes null, with the key on its path")
    func superDecoderOfAnAbsentKey() throws {
        struct Probe: Decodable {
            var isNull: Bool
            var path: [String]
            enum Key: CodingKey { case absent }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: Key.self)
                let child = try container.superDecoder(forKey: .absent)
                isNull = try child.singleValueContainer().decodeNil()
                path = child.codingPath.map(\.stringValue)
            }
        }
        let fromTree = try DocumentDecoder().decode(Probe.self, from: ["present": 1])
        #expect(fromTree.isNull && fromTree.path == ["absent"])
        let fromText = try DocumentDecoder().decode(Probe.self, fromYAML: "present: 1\n")
        #expect(fromText.isNull && fromText.path == ["absent"])
    }

    @Test("every kind of value decodes from a tree built in code")
    func valuesBuiltInCode() throws {
        struct All: Decodable, Equatable {
            var text: String
            var flag: Bool
            var count: Int8
            var ratio: Double
            var big: UInt64
            var none: String?
            var list: [String: [Int]]
        }
        let tree: Node = [
            "text": "é", "flag": true, "count": -3, "ratio": 2.5, "big": .number(Node.Number(UInt64.max)),
            "none": nil, "list": ["a": [1, 2], "b": []],
        ]
        let value = try DocumentDecoder().decode(All.self, from: tree)
        #expect(
            value == All(text: "é", flag: true, count: -3, ratio: 2.5, big: .max, none: nil, list: ["a": [1, 2], "b": []]))
    }

    @Test("a tree's own strings, numbers and keys decode: a scalar root, non-ASCII keys, keys in any order")
    func stringsAndKeysOfATree() throws {
        let decoder = DocumentDecoder()
        #expect(try decoder.decode(String.self, from: "süß") == "süß")
        #expect(try decoder.decode(Int.self, from: 42) == 42)
        #expect(try decoder.decode([String].self, from: ["a", "ünïcödé"]) == ["a", "ünïcödé"])

        struct Reversed: Decodable, Equatable {
            var values: [String]
            var keys: [String]
            init(values: [String], keys: [String]) {
                self.values = values
                self.keys = keys
            }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: NodeKey.self)
                keys = container.allKeys.map(\.stringValue)
                values = try keys.reversed().map { try container.decode(String.self, forKey: NodeKey($0)) }
            }
        }
        // 20 keys (more than a linear search covers), asked for last to first.
        var mapping = Node.Mapping()
        let names = (0..<20).map { "ключ-\($0)" }
        for name in names { mapping[name] = .string("value of \(name)") }
        let decoded = try decoder.decode(Reversed.self, from: .mapping(mapping))
        #expect(decoded == Reversed(values: names.reversed().map { "value of \($0)" }, keys: names))
    }

    struct NodeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
