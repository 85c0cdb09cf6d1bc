import Foundation
import Yams

/// Who does the work.
enum Library: String, CaseIterable, Sendable {
    case giter = "Giter"
    case foundation = "Foundation"
    case yams = "Yams"
}

enum Direction: String, Sendable {
    case decode, encode
}

enum Format: String, Sendable {
    case yaml = "YAML"
    case json = "JSON"
    /// A `Node` tree read from the YAML document before timing: what the
    /// store decodes resources from (Giter only).
    case tree = "Tree"
}

/// One measured operation: a library turning text into a `WebService` value or back.
struct Operation: Hashable, Sendable {
    var library: Library
    var format: Format
    var direction: Direction

    /// Command-line and JSON identifier, e.g. `giter-yaml-decode`.
    var id: String { "\(library.rawValue)-\(format.rawValue)-\(direction.rawValue)".lowercased() }
    /// Human-readable label, e.g. `Giter YAML decode`.
    var label: String { "\(library.rawValue) \(format.rawValue) \(direction.rawValue)" }

    static let all: [Operation] = [
        Operation(library: .giter, format: .yaml, direction: .decode),
        Operation(library: .yams, format: .yaml, direction: .decode),
        Operation(library: .giter, format: .json, direction: .decode),
        Operation(library: .foundation, format: .json, direction: .decode),
        Operation(library: .giter, format: .tree, direction: .decode),
        Operation(library: .giter, format: .yaml, direction: .encode),
        Operation(library: .yams, format: .yaml, direction: .encode),
        Operation(library: .giter, format: .json, direction: .encode),
        Operation(library: .foundation, format: .json, direction: .encode),
    ]

    static func named(_ id: String) -> Operation? {
        all.first { $0.id == id }
    }

    /// Size of the document this operation reads or writes, in its own
    /// format (a tree counts as the YAML it was read from).
    func documentBytes(_ document: Document) -> Int {
        format == .json ? document.jsonBytes : document.yamlBytes
    }

    /// A closure that performs the operation once on `document` and hands
    /// the result to `blackHole`. Coders are created once, outside the
    /// closure, as an application would keep them; inputs are prepared in
    /// advance so that only the codec's own work is timed.
    func makeRunner(for document: Document) throws -> () throws -> Void {
        switch (library, format, direction) {
        case (.foundation, .json, .decode):
            let decoder = JSONDecoder()
            let data = document.jsonData
            return { blackHole(try decoder.decode(WebService.self, from: data)) }
        case (.foundation, .json, .encode):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let value = document.value
            return { blackHole(try encoder.encode(value)) }
        case (.yams, .yaml, .decode):
            let decoder = YAMLDecoder()
            let text = document.yamlText
            return { blackHole(try decoder.decode(WebService.self, from: text)) }
        case (.yams, .yaml, .encode):
            let encoder = YAMLEncoder()
            let value = document.value
            return { blackHole(try encoder.encode(value)) }
        case (.giter, _, _):
            return try makeGiterRunner(for: document)
        default:
            throw BenchmarkError.unsupported(label)
        }
    }

    /// Runs the operation once and returns the value it read, or the value
    /// read back from the text it wrote (by the same library), to check
    /// that every library does the same work.
    func roundTrip(_ document: Document) throws -> WebService {
        switch (library, format, direction) {
        case (.foundation, .json, .decode):
            return try JSONDecoder().decode(WebService.self, from: document.jsonData)
        case (.foundation, .json, .encode):
            return try JSONDecoder().decode(WebService.self, from: JSONEncoder().encode(document.value))
        case (.yams, .yaml, .decode):
            return try YAMLDecoder().decode(WebService.self, from: document.yamlText)
        case (.yams, .yaml, .encode):
            return try YAMLDecoder().decode(WebService.self, from: YAMLEncoder().encode(document.value))
        case (.giter, _, _):
            return try giterRoundTrip(document)
        default:
            throw BenchmarkError.unsupported(label)
        }
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case unsupported(String)
    case mismatch(String)
    case usage(String)
    case childFailed(String)

    var description: String {
        switch self {
        case .unsupported(let what): "unsupported operation: \(what)"
        case .mismatch(let what): "result mismatch: \(what)"
        case .usage(let what): "usage: \(what)"
        case .childFailed(let what): "peak-memory child process failed: \(what)"
        }
    }
}
