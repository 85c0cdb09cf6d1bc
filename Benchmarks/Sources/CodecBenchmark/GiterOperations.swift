import Foundation
import GiterCodec

// Giter's rows. Each uses the same input and output types as the library it
// is compared with: YAML as String (like Yams), JSON as Data (like Foundation).

extension Operation {
    func makeGiterRunner(for document: Document) throws -> () throws -> Void {
        let decoder = DocumentDecoder()
        let encoder = DocumentEncoder()
        switch (format, direction) {
        case (.yaml, .decode):
            let text = document.yamlText
            return { blackHole(try decoder.decode(WebService.self, fromYAML: text)) }
        case (.json, .decode):
            let data = document.jsonData
            return { blackHole(try decoder.decode(WebService.self, fromJSON: data)) }
        case (.tree, .decode):
            let tree = try YAMLReader().readDocument(document.yamlText)
            return { blackHole(try decoder.decode(WebService.self, from: tree)) }
        case (.yaml, .encode):
            let value = document.value
            return { blackHole(try encoder.encodeYAML(value)) }
        case (.json, .encode):
            let value = document.value
            return { blackHole(try encoder.encodeJSONData(value)) }
        case (.tree, .encode):
            throw BenchmarkError.unsupported(label)
        }
    }

    func giterRoundTrip(_ document: Document) throws -> WebService {
        let decoder = DocumentDecoder()
        let encoder = DocumentEncoder()
        switch (format, direction) {
        case (.yaml, .decode):
            return try decoder.decode(WebService.self, fromYAML: document.yamlText)
        case (.json, .decode):
            return try decoder.decode(WebService.self, fromJSON: document.jsonData)
        case (.tree, .decode):
            return try decoder.decode(WebService.self, from: YAMLReader().readDocument(document.yamlText))
        case (.yaml, .encode):
            return try decoder.decode(WebService.self, fromYAML: encoder.encodeYAML(document.value))
        case (.json, .encode):
            return try decoder.decode(WebService.self, fromJSON: encoder.encodeJSONData(document.value))
        case (.tree, .encode):
            throw BenchmarkError.unsupported(label)
        }
    }
}
