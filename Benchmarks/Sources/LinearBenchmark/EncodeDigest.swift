import Foundation
import Giter
import GiterCodec

/// `LinearBenchmark --encode-digest [BYTES,…]`: the encoded text of every
/// shape, as a digest per shape and size, so that two builds of the encoder
/// can be checked to write the same bytes (YAML, and JSON compact and
/// pretty) without keeping the text.
enum EncodeDigest {
    static let flag = "--encode-digest"

    static func run(sizes: [Int]) throws {
        for shape in Shape.allCases {
            for size in sizes {
                let texts = shape.yamlFiles(targetBytes: size)
                var digest = Digest()
                switch shape {
                case .blockKeys: try digest.add(BlockKeysResource.self, texts)
                case .flowKeys: try digest.add(FlowKeysResource.self, texts)
                case .sequence: try digest.add(ItemsResource.self, texts)
                case .string, .blockScalar: try digest.add(TextResource.self, texts)
                case .nestBlock, .nestFlow: try digest.add(TreesResource.self, texts)
                case .files: try digest.add(ItemResource.self, texts)
                case .documents: try digest.add(DocumentDecoder().decodeAll(ItemResource.self, fromYAML: texts[0]))
                }
                print("\(shape.rawValue) \(size): \(digest.bytes) bytes, fnv1a \(String(digest.hash, radix: 16))")
            }
        }
    }

    /// FNV-1a over every text written, with its length.
    struct Digest {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var bytes = 0

        mutating func add<T: Codable>(_ type: T.Type, _ texts: [String]) throws {
            try add(texts.map { try DocumentDecoder().decode(type, fromYAML: $0) })
        }

        mutating func add<T: Encodable>(_ values: [T]) throws {
            var pretty = DocumentEncoder()
            pretty.jsonOptions.pretty = true
            for value in values {
                add(try DocumentEncoder().encodeYAMLData(value))
                add(try DocumentEncoder().encodeJSONData(value))
                add(try pretty.encodeJSONData(value))
            }
        }

        private mutating func add(_ data: Data) {
            bytes += data.count
            for byte in data {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= UInt64(data.count)
            hash = hash &* 0x100_0000_01b3
        }
    }
}
