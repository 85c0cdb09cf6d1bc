import Foundation
import GiterCodec
import Testing

/// Replays the inputs the fuzzers found (`Tests/Fixtures/fuzz`, see
/// `Documentation/Reliability.md`, "Fuzzing") through what the harnesses in
/// `Fuzz/` run, so that the normal test suite keeps them fixed.
///
/// Each input must give a value or a ``CodecError`` (a `DecodingError` where
/// a type is decoded), never a crash or a hang; where two paths read the same
/// text (node trees and the tape), they must agree, locations included.
@Suite("fuzz regressions", .timeLimit(.minutes(2)))
struct FuzzRegressionTests {
    /// `Tests/Fixtures/fuzz`, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // GiterCodecTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures/fuzz", isDirectory: true)

    /// The input files (every file but the README).
    static var inputs: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasSuffix(".md") }.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
    }

    @Test("the regression inputs are there")
    func inputsExist() {
        #expect(!Self.inputs.isEmpty, "no inputs in \(Self.directory.path)")
    }

    @Test("YAML: node trees and the tape read every input alike", arguments: inputs)
    func yaml(_ name: String) throws {
        let bytes = try Self.bytes(name)
        let limits = ParseLimits.default
        let trees = Result { try YAMLReader(limits: limits).read(bytes) }
        let text = String(decoding: bytes, as: UTF8.self)
        let decoded = Result { try DocumentDecoder(limits: limits).decodeAll(Node.self, fromYAML: text) }
        switch (trees, decoded) {
        case (.success(let trees), .success(let decoded)):
            if String(validating: bytes, as: UTF8.self) != nil {
                #expect(trees == decoded, "\(name): the tape decodes other documents than the reader reads")
                #expect(
                    trees.map(\.location) == decoded.map(\.location),
                    "\(name): the tape locates the documents elsewhere than the reader")
            }
            for document in trees {
                let written = YAMLWriter().writeBytes(document)
                #expect(try YAMLReader(limits: limits).read(written) == [document], "\(name): written back differently")
            }
        case (.failure(let error), _), (_, .failure(let error)):
            #expect(error is CodecError, "\(name): threw \(type(of: error)), not a CodecError: \(error)")
        }
    }

    @Test("JSON: every input reads or throws a CodecError", arguments: inputs)
    func json(_ name: String) throws {
        let bytes = try Self.bytes(name)
        let reader = JSONReader(limits: .default)
        for result in [Result { [try reader.read(bytes)] }, Result { try reader.readStream(bytes) }] {
            if case .failure(let error) = result {
                #expect(error is CodecError, "\(name): threw \(type(of: error)), not a CodecError: \(error)")
            }
        }
    }

    @Test("splice: a status written reads back; anything else is a CodecError", arguments: inputs)
    func splice(_ name: String) throws {
        let bytes = try Self.bytes(name)
        let status: Node = ["observedGeneration": 3, "conditions": [["type": "Ready", "status": "True"]]]
        let splice = YAMLSplice(limits: .default)
        switch Result(catching: { try splice.replacingValue(ofTopLevelKey: "status", in: bytes, with: status) }) {
        case .success(let written):
            let documents = try YAMLReader().read(written)
            #expect(documents.count == 1 && documents.first?["status"] == status, "\(name): spliced wrongly")
        case .failure(let error):
            #expect(error is CodecError, "\(name): threw \(type(of: error)), not a CodecError: \(error)")
        }
        if case .failure(let error) = Result(catching: {
            try splice.replacingValue(ofTopLevelKey: "status", in: bytes, with: nil)
        }) {
            #expect(error is CodecError, "\(name): removing threw \(type(of: error)), not a CodecError: \(error)")
        }
    }

    /// The fuzzers' first finding: `decodeAll` walked the text from its start
    /// to locate each document's nodes, so a stream of many small documents
    /// took time quadratic in their number (48 KB: over 10 s under the
    /// sanitizers). One walk now serves all documents; each must still get
    /// its own location.
    @Test("decodeAll locates each of many documents where it is")
    func manyDocumentsLocated() throws {
        let count = 3000
        let text = (0..<count).map { "- \($0)\n...\n" }.joined()
        let documents = try DocumentDecoder().decodeAll(Node.self, fromYAML: text)
        #expect(documents.count == count)
        for (number, document) in documents.enumerated() {
            #expect(document.location?.line == 2 * number + 1, "document \(number) at \(String(describing: document.location))")
            #expect(document[0]?.number?.integer(as: Int.self) == number)
            if document.location?.line != 2 * number + 1 { break }
        }
    }
}
