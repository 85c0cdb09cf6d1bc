import Foundation
import GiterCodec
import Testing

/// `DocumentDecoder` decodes text straight from the readers' tape; decoding
/// a `Node` tree goes through `NodeDecoding`. These tests check on the
/// corpora and on typed models that both give the same values and the same
/// errors, messages, coding paths, lines and columns included.
@Suite("tape decoding equals node decoding")
struct TapeDecodingEquivalenceTests {
    // MARK: Comparing the two paths

    /// A value or an error, as text that tells them apart exactly.
    static func outcome<T>(_ body: () throws -> T) -> String {
        do {
            return "value: \(try body())"
        } catch {
            return "error: \(type(of: error)): \(error)"
        }
    }

    /// The YAML text decoded as `T` from the tape and from the node tree.
    static func yamlOutcomes<T: Decodable>(_ type: T.Type, _ text: String) -> (tape: String, node: String) {
        let decoder = DocumentDecoder()
        return (
            outcome { try decoder.decode(type, fromYAML: text) },
            outcome { try decoder.decode(type, from: YAMLReader().readDocument(text)) }
        )
    }

    /// The JSON bytes decoded as `T` from the tape and from the node tree.
    static func jsonOutcomes<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> (tape: String, node: String) {
        let decoder = DocumentDecoder()
        return (
            outcome { try decoder.decode(type, fromJSON: Data(bytes)) },
            outcome { try decoder.decode(type, from: JSONReader().read(bytes)) }
        )
    }

    /// Every node and key of `node` with its location, one per line.
    static func locations(_ node: Node, _ path: String = "$") -> [String] {
        var lines = ["\(path) \(node.kindDescription) \(node.location.map { "\($0.line):\($0.column)@\($0.offset)" } ?? "-")"]
        switch node.content {
        case .sequence(let items):
            for (index, item) in items.enumerated() { lines += locations(item, "\(path)[\(index)]") }
        case .mapping(let mapping):
            for entry in mapping.entries {
                let at = entry.keyLocation.map { "\($0.line):\($0.column)@\($0.offset)" } ?? "-"
                lines.append("\(path) key \(String(reflecting: entry.key)) \(at)")
                lines += locations(entry.value, "\(path).\(entry.key)")
            }
        default:
            break
        }
        return lines
    }

    /// The text decoded as a located `Node` tree, or the error.
    static func locatedOutcome(_ body: () throws -> Node) -> String {
        do {
            let node = try body()
            return "value: \(node)\n" + locations(node).joined(separator: "\n")
        } catch {
            return "error: \(type(of: error)): \(error)"
        }
    }

    // MARK: Corpora

    @Test(TestData.enabled("yaml-test-suite"))
    func yamlTestSuite() throws {
        let root = try #require(TestData.directory("yaml-test-suite"))
        let cases = try YAMLTestSuiteTests.loadCases(root)
        #expect(cases.count > 300)
        let decoder = DocumentDecoder()
        var compared = 0
        for testCase in cases {
            let data = try Data(contentsOf: testCase.directory.appendingPathComponent("in.yaml"))
            let text = String(decoding: data, as: UTF8.self)
            let tapeNode = Self.locatedOutcome { try decoder.decode(Node.self, fromYAML: text) }
            let treeNode = Self.locatedOutcome { try decoder.decode(Node.self, from: YAMLReader().readDocument(text)) }
            #expect(tapeNode == treeNode, "\(testCase.id): Node")
            let (tape, node) = Self.yamlOutcomes(Transcript.self, text)
            #expect(tape == node, "\(testCase.id): transcript")
            let (tapeModel, nodeModel) = Self.yamlOutcomes(Sample.self, text)
            #expect(tapeModel == nodeModel, "\(testCase.id): typed model")
            let all = Self.outcome { try decoder.decodeAll(Transcript.self, fromYAML: text) }
            let allNodes = Self.outcome { try YAMLReader().read(text).map { try decoder.decode(Transcript.self, from: $0) } }
            #expect(all == allNodes, "\(testCase.id): decodeAll")
            compared += 1
        }
        print("tape equivalence: \(compared) yaml-test-suite cases compared")
    }

    @Test(TestData.enabled("json-test-suite"))
    func jsonTestSuite() throws {
        let directory = try #require(TestData.directory("json-test-suite")).appendingPathComponent("test_parsing")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(names.count == 318)
        let decoder = DocumentDecoder()
        for name in names.sorted() {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            let tapeNode = Self.locatedOutcome { try decoder.decode(Node.self, fromJSON: Data(bytes)) }
            let treeNode = Self.locatedOutcome { try decoder.decode(Node.self, from: JSONReader().read(bytes)) }
            #expect(tapeNode == treeNode, "\(name): Node")
            let (tape, node) = Self.jsonOutcomes(Transcript.self, bytes)
            #expect(tape == node, "\(name): transcript")
            let (tapeModel, nodeModel) = Self.jsonOutcomes(Sample.self, bytes)
            #expect(tapeModel == nodeModel, "\(name): typed model")
        }
    }

    @Test("a y_ case reads the same through the tape and through JSONReader's nodes")
    func jsonSuiteValuesAreNotEmpty() throws {
        let text = #"{"a": [1, 2.5, "x\u00e9", true, null], "b": {"c": "d"}}"#
        let tape = try DocumentDecoder().decode(Node.self, fromJSON: text)
        #expect(tape == (try JSONReader().read(text)))
        #expect(tape["a"]?[2]?.string == "xé")
        #expect(tape["b"]?.location == SourceLocation(line: 1, column: 45, offset: 44))
    }
}
