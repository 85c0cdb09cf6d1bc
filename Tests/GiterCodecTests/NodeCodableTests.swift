import Foundation
import GiterCodec
import Testing

@Suite struct NodeCodableTests {
    struct Envelope: Codable, Equatable {
        var kind: String
        var spec: Node
        var extra: [String: Node]?
    }

    @Test func aNodeFieldKeepsAnyTreeThroughOurCoders() throws {
        let text = """
            kind: Free
            spec:
              nested: {a: [1, 2.5, "x", null, true]}
              order: [z, a]
            """
        let value = try DocumentDecoder().decode(Envelope.self, fromYAML: text)
        #expect(value.spec["nested"]?["a"] == [1, 2.5, "x", nil, true])
        #expect(value.spec["nested"]?.location?.line == 3)
        let yaml = try DocumentEncoder().encodeYAML(value)
        #expect(yaml == "kind: Free\nspec:\n  nested:\n    a:\n    - 1\n    - 2.5\n    - x\n    - null\n    - true\n  order:\n  - z\n  - a\n")
        #expect(try DocumentDecoder().decode(Envelope.self, fromYAML: yaml) == value)
    }

    @Test func aNodeGoesThroughFoundationsJSONCoders() throws {
        let node: Node = ["a": [1, -2, 2.5, "s", nil, false], "b": ["c": "d"]]
        let data = try JSONEncoder().encode(node)
        let back = try JSONDecoder().decode(Node.self, from: data)
        #expect(back["a"] == [1, -2, 2.5, "s", nil, false])
        #expect(back["b"] == ["c": "d"])
        #expect(try DocumentDecoder().decode(Node.self, fromJSON: String(decoding: data, as: UTF8.self))["b"] == ["c": "d"])
    }
}
