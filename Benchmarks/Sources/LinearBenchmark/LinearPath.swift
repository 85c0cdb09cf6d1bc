import Foundation
import Giter
import GiterCodec

/// A reader or writer path whose work must grow linearly with its input.
enum LinearPath: String, CaseIterable, Sendable {
    /// YAML text → `Node` trees (`YAMLReader.read`).
    case parseYAML = "parse-yaml"
    /// JSON text → `Node` (`JSONReader.read`; JSON Lines with `readStream` for documents).
    case parseJSON = "parse-json"
    /// YAML text → `CustomResource<Spec, Status>` through Codable (`DocumentDecoder`; `decodeAll` for documents).
    case decode
    /// `CustomResource<Spec, Status>` → YAML text (`DocumentEncoder.encodeYAMLData`).
    case encode
    /// A new `status` spliced into the file (`YAMLSplice`, as a consumer writes it).
    case splice
    /// `ContractChecker` on a producer commit that adds the file(s): parse,
    /// metadata rules, the spec against the kind's structural schema.
    case contract
    /// `ContractChecker` on a consumer commit that changes the status of the
    /// file(s): both versions parsed and split around `status`, the status validated.
    case contractStatus = "contract-status"

    /// Whether the path applies to the shape: a resource file holds one
    /// document, so a stream of several is only read and written.
    func applies(to shape: Shape) -> Bool {
        switch self {
        case .splice, .contract, .contractStatus: shape != .documents
        default: true
        }
    }
}

/// One path on one shape at one size, ready to run.
struct PreparedCase: Sendable {
    /// The size of what the path reads (for encode: writes), in bytes.
    var bytes: Int
    /// Runs the path once over the whole input. `decode` hands back the
    /// values it decoded, so that the peak-memory child can measure their
    /// own heap while they are alive (the decoder is judged on its working
    /// memory, the peak less that value); the other paths return `nil`:
    /// what they make (a tree of the readers' tape, the text written, the
    /// splice's output) is Giter's own and counts in their peak.
    var run: @Sendable () async throws -> (any Sendable)?

    init(bytes: Int, run: @escaping @Sendable () async throws -> Void) {
        self.bytes = bytes
        self.run = {
            try await run()
            return nil
        }
    }

    init(bytes: Int, returning run: @escaping @Sendable () async throws -> any Sendable) {
        self.bytes = bytes
        self.run = run
    }
}

enum LinearError: Error, CustomStringConvertible {
    case setup(String)
    case usage(String)
    case check(String)

    var description: String {
        switch self {
        case .setup(let message): "setup: \(message)"
        case .usage(let message): "usage: \(message)"
        case .check(let message): "check failed: \(message)"
        }
    }
}

/// Keeps a result alive and opaque to the optimizer.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

extension LinearPath {
    /// Prepares the input of `shape` at about `targetBytes` (untimed) and
    /// returns the run. With `check`, the run is made once here, so a path
    /// that fails on an input is an error, never a fast row; the peak-memory
    /// child does without, so that the heap of that run cannot be reused
    /// by the measured one.
    func prepare(_ shape: Shape, targetBytes: Int, check: Bool = true) async throws -> PreparedCase {
        let texts = shape.yamlFiles(targetBytes: targetBytes)
        let files = texts.map { Array($0.utf8) }
        let prepared: PreparedCase
        switch self {
        case .parseYAML:
            prepared = PreparedCase(bytes: files.byteCount) {
                for file in files { blackHole(try YAMLReader().read(file)) }
            }
        case .parseJSON:
            let json = try files.map { file in
                var text = [UInt8]()
                for document in try YAMLReader().read(file) {
                    text += try JSONWriter().writeBytes(document)
                    text.append(0x0A)
                }
                return text
            }
            let stream = shape == .documents
            prepared = PreparedCase(bytes: json.byteCount) {
                for file in json {
                    if stream { blackHole(try JSONReader().readStream(file)) } else { blackHole(try JSONReader().read(file)) }
                }
            }
        case .decode:
            prepared = PreparedCase(bytes: files.byteCount, returning: try Self.decodeRun(shape, texts))
        case .encode:
            let (bytes, run) = try Self.encodeRun(shape, texts)
            prepared = PreparedCase(bytes: bytes, run: run)
        case .splice:
            let status = Self.newStatus
            prepared = PreparedCase(bytes: files.byteCount) {
                for file in files {
                    blackHole(try YAMLSplice().replacingValue(ofTopLevelKey: "status", in: file, with: status))
                }
            }
        case .contract:
            let contract = try ContractFixture.contract()
            let texts = shape.yamlFiles(targetBytes: targetBytes, withStatus: false)
            var blobs: [ObjectID: [UInt8]] = [:]
            var changes: [PathChange] = []
            for (index, text) in texts.enumerated() {
                let id = ContractFixture.objectID(index + 1)
                blobs[id] = Array(text.utf8)
                changes.append(
                    PathChange(
                        path: try ContractFixture.path(ofFile: text, shape: shape), oldID: nil, oldMode: nil, newID: id,
                        newMode: .regular))
            }
            let store = blobs
            let added = changes
            let commit = ContractFixture.commit(author: ContractFixture.producer)
            prepared = PreparedCase(bytes: texts.map(\.utf8.count).reduce(0, +)) {
                let checker = ContractChecker(contract: contract, read: { id in store[id] ?? [] })
                let violations = try await checker.violations(of: commit, changes: added)
                guard violations.isEmpty else { throw LinearError.check("\(violations.prefix(3))") }
            }
        case .contractStatus:
            let contract = try ContractFixture.contract()
            var blobs: [ObjectID: [UInt8]] = [:]
            var changes: [PathChange] = []
            var newBytes = 0
            for (index, file) in files.enumerated() {
                let old = ContractFixture.objectID(2 * index + 1)
                let new = ContractFixture.objectID(2 * index + 2)
                let spliced = try YAMLSplice().replacingValue(ofTopLevelKey: "status", in: file, with: Self.newStatus)
                blobs[old] = file
                blobs[new] = spliced
                newBytes += spliced.count
                changes.append(
                    PathChange(
                        path: try ContractFixture.path(ofFile: texts[index], shape: shape), oldID: old, oldMode: .regular,
                        newID: new, newMode: .regular))
            }
            let store = blobs
            let changed = changes
            let commit = ContractFixture.commit(author: ContractFixture.consumer)
            prepared = PreparedCase(bytes: newBytes) {
                let checker = ContractChecker(contract: contract, read: { id in store[id] ?? [] })
                let violations = try await checker.violations(of: commit, changes: changed)
                guard violations.isEmpty else { throw LinearError.check("\(violations.prefix(3))") }
            }
        }
        if check { blackHole(try await prepared.run()) }
        return prepared
    }

    /// The status a consumer splices in.
    static let newStatus: Node = ["observedGeneration": 2, "phase": "Done"]

    /// The decode run; it returns what it decoded (every file's value, kept
    /// until the run ends, as a caller keeps what it reads).
    private static func decodeRun(_ shape: Shape, _ texts: [String]) throws -> @Sendable () async throws -> any Sendable {
        switch shape {
        case .blockKeys: decoding(BlockKeysResource.self, texts)
        case .flowKeys: decoding(FlowKeysResource.self, texts)
        case .sequence: decoding(ItemsResource.self, texts)
        case .string, .blockScalar: decoding(TextResource.self, texts)
        case .nestBlock, .nestFlow: decoding(TreesResource.self, texts)
        case .files: decoding(ItemResource.self, texts)
        case .documents:
            { try DocumentDecoder().decodeAll(ItemResource.self, fromYAML: texts[0]) }
        }
    }

    private static func decoding<T: Decodable & Sendable>(
        _ type: T.Type, _ texts: [String]
    ) -> @Sendable () async throws -> any Sendable {
        {
            var values: [T] = []
            values.reserveCapacity(texts.count)
            for text in texts { values.append(try DocumentDecoder().decode(T.self, fromYAML: text)) }
            return values
        }
    }

    private static func encodeRun(_ shape: Shape, _ texts: [String]) throws -> (Int, @Sendable () async throws -> Void) {
        switch shape {
        case .blockKeys: try encoding(BlockKeysResource.self, texts)
        case .flowKeys: try encoding(FlowKeysResource.self, texts)
        case .sequence: try encoding(ItemsResource.self, texts)
        case .string, .blockScalar: try encoding(TextResource.self, texts)
        case .nestBlock, .nestFlow: try encoding(TreesResource.self, texts)
        case .files: try encoding(ItemResource.self, texts)
        case .documents:
            try encoding(ItemResource.self, [], values: DocumentDecoder().decodeAll(ItemResource.self, fromYAML: texts[0]))
        }
    }

    /// The values of `texts`, decoded before timing; the run writes each
    /// back to YAML. The size is that of the YAML written.
    private static func encoding<T: Codable & Sendable>(
        _ type: T.Type, _ texts: [String], values known: [T]? = nil
    ) throws -> (Int, @Sendable () async throws -> Void) {
        let values = try known ?? texts.map { try DocumentDecoder().decode(type, fromYAML: $0) }
        let bytes = try values.map { try DocumentEncoder().encodeYAMLData($0).count }.reduce(0, +)
        return (bytes, { for value in values { blackHole(try DocumentEncoder().encodeYAMLData(value)) } })
    }
}

extension [[UInt8]] {
    var byteCount: Int { map(\.count).reduce(0, +) }
}
