import Foundation
import GiterCodec
import Testing

/// Decoding errors name the line and column of the offending value, both
/// when decoding text and when decoding the `Node` tree read from it (a
/// tree is written to a tape whose offsets index the nodes' locations).
@Suite("decoding errors")
struct DecodingErrorTests {
    /// A value or an error, as text that tells them apart exactly.
    static func outcome<T>(_ body: () throws -> T) -> String {
        do {
            return "value: \(try body())"
        } catch {
            return "error: \(type(of: error)): \(error)"
        }
    }

    /// The YAML text decoded as `T` from the text and from its node tree.
    static func yamlOutcomes<T: Decodable>(_ type: T.Type, _ text: String) -> (text: String, tree: String) {
        let decoder = DocumentDecoder()
        return (
            outcome { try decoder.decode(type, fromYAML: text) },
            outcome { try decoder.decode(type, from: YAMLReader().readDocument(text)) }
        )
    }

    /// The JSON bytes decoded as `T` from the text and from its node tree.
    static func jsonOutcomes<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> (text: String, tree: String) {
        let decoder = DocumentDecoder()
        return (
            outcome { try decoder.decode(type, fromJSON: Data(bytes)) },
            outcome { try decoder.decode(type, from: JSONReader().read(bytes)) }
        )
    }

    struct Port: Codable, Equatable {
        var name: String
        var port: UInt16
    }

    struct Service: Codable, Equatable {
        var name: String
        var replicas: Int
        var ports: [Port]
        var labels: [String: String]?
    }

    struct Case: Sendable, CustomStringConvertible {
        var yaml: String
        var json: String
        /// What the error must say, and where.
        var expected: String
        /// What the JSON error must say, when it differs.
        var jsonExpected: String? = nil
        var description: String { expected }
    }

    static let cases: [Case] = [
        Case(
            yaml: "name: web\nreplicas: 2\nports:\n  - name: http\n    port: http\n",
            json: #"{"name": "web", "replicas": 2, "ports": [{"name": "http", "port": "http"}]}"#,
            expected: "Expected UInt16 but found a string"
        ),
        Case(
            yaml: "name: web\nports: []\n",
            json: #"{"name": "web", "ports": []}"#,
            expected: "No value for key \"replicas\" in the mapping at line 1, column 1"
        ),
        Case(
            yaml: "name: web\nreplicas: 2\nports: []\nreplicas: 3\n",
            json: #"{"name": "web", "replicas": 2, "ports": [], "replicas": 3}"#,
            expected: "duplicate key"
        ),
        Case(
            yaml: "name: web\nreplicas: [2\nports: []\n",
            json: #"{"name": "web", "replicas": 2 "ports": []}"#,
            expected: "CodecError: 3:1: a line inside a flow collection must be indented more than its parent",
            jsonExpected: "CodecError: 1:31: unexpected '\"' after object member; expected ',' or '}'"
        ),
        Case(
            yaml: "name: web\nreplicas: 99999999999999999999\nports: []\n",
            json: #"{"name": "web", "replicas": 99999999999999999999, "ports": []}"#,
            expected: "does not fit in Int"
        ),
        Case(
            yaml: "name: web\nreplicas: 1\nports: [{name: a, port: 1}, {name: b}]\n",
            json: #"{"name": "web", "replicas": 1, "ports": [{"name": "a", "port": 1}, {"name": "b"}]}"#,
            expected: "No value for key \"port\""
        ),
        Case(
            yaml: "name: web\nreplicas: 1\nports: []\nlabels: {a: 1}\n",
            json: #"{"name": "web", "replicas": 1, "ports": [], "labels": {"a": 1}}"#,
            expected: "Expected String but found a number"
        ),
        Case(
            yaml: "name: ~\nreplicas: 1\nports: []\n",
            json: #"{"name": null, "replicas": 1, "ports": []}"#,
            expected: "Expected String but found null at line 1, column"
        ),
    ]

    @Test(arguments: cases)
    func sameErrorBothWays(_ testCase: Case) {
        let (yamlTape, yamlNode) = Self.yamlOutcomes(Service.self, testCase.yaml)
        #expect(yamlTape == yamlNode)
        #expect(yamlTape.hasPrefix("error: "))
        #expect(yamlTape.contains(testCase.expected), "\(yamlTape)")
        let (jsonTape, jsonNode) = Self.jsonOutcomes(Service.self, Array(testCase.json.utf8))
        #expect(jsonTape == jsonNode)
        #expect(jsonTape.hasPrefix("error: "))
        #expect(jsonTape.contains(testCase.jsonExpected ?? testCase.expected), "\(jsonTape)")
    }

    @Test func typeMismatchHasPathLineAndColumn() throws {
        let yaml = "name: web\nreplicas: 2\nports:\n  - name: http\n    port: 80\n  - name: dns\n    port: [53]\n"
        let error = try #require(throws: DecodingError.self) {
            try DocumentDecoder().decode(Service.self, fromYAML: yaml)
        }
        guard case .typeMismatch(_, let context) = error else {
            Issue.record("expected a type mismatch, got \(error)")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["ports", "Index 1", "port"])
        #expect(context.debugDescription == "Expected UInt16 but found a sequence at line 7, column 11")
    }

    @Test func duplicateKeyLocations() throws {
        let json = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}"
        let error = try #require(throws: CodecError.self) {
            try DocumentDecoder().decode([String: Int].self, fromJSON: json)
        }
        #expect(error.code == .duplicateKey)
        #expect(error.location?.line == 4 && error.location?.column == 3)
        #expect(error.message.contains("first at line 2, column 3"))
        let yamlError = try #require(throws: CodecError.self) {
            try DocumentDecoder().decode([String: Int].self, fromYAML: "a: 1\nb: 2\na: 3\n")
        }
        #expect(yamlError.code == .duplicateKey)
        #expect(yamlError.location?.line == 3 && yamlError.location?.column == 1)
        #expect(yamlError.message.contains("first defined on line 1"))
    }

    @Test func syntaxErrorLocationsWithCRLFAndBOM() throws {
        let yaml = "\u{FEFF}name: web\r\nreplicas: 2\r\nports: [\r\n"
        let (tape, node) = Self.yamlOutcomes(Service.self, yaml)
        #expect(tape == node)
        let error = try #require(throws: CodecError.self) { try DocumentDecoder().decode(Service.self, fromYAML: yaml) }
        #expect(error.location?.line == 3)
        let mismatch = "\u{FEFF}name: web\r\nreplicas: x\r\nports: []\r\n"
        let (tape2, node2) = Self.yamlOutcomes(Service.self, mismatch)
        #expect(tape2 == node2)
        #expect(tape2.contains("at line 2, column 11"), "\(tape2)")
        let json = Array("\u{FEFF}{\"name\": \"wéb\",\r\n \"replicas\": \"x\", \"ports\": []}".utf8)
        let (tape3, node3) = Self.jsonOutcomes(Service.self, json)
        #expect(tape3 == node3)
        #expect(tape3.contains("at line 2, column 14"), "\(tape3)")
    }

    @Test("a Node decoded from JSON text has its values and locations")
    func nodeFromJSONText() throws {
        let text = #"{"a": [1, 2.5, "x\u00e9", true, null], "b": {"c": "d"}}"#
        let node = try DocumentDecoder().decode(Node.self, fromJSON: text)
        #expect(node == (try JSONReader().read(text)))
        #expect(node["a"]?[2]?.string == "xé")
        #expect(node["b"]?.location == SourceLocation(line: 1, column: 45, offset: 44))
    }

    @Test func valuesAreEqual() throws {
        let yaml = """
            name: "w\\u00e9b"
            replicas: 3
            ports:
              - {name: http, port: 80}
              - name: >
                  folded
                  text
                port: 443
            labels:
              'k''ey': |
                literal
            """
        let decoder = DocumentDecoder()
        let tape = try decoder.decode(Service.self, fromYAML: yaml)
        #expect(tape == (try decoder.decode(Service.self, from: YAMLReader().readDocument(yaml))))
        #expect(tape.name == "wéb" && tape.ports[1].name == "folded text\n" && tape.labels == ["k'ey": "literal\n"])
        let json = try DocumentEncoder().encodeJSONData(tape)
        #expect(try decoder.decode(Service.self, fromJSON: json) == tape)
    }
}
