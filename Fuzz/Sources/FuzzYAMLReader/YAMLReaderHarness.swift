// libFuzzer harness: the YAML reader on arbitrary bytes.

import GiterCodec

/// Reads every document of a YAML stream into node trees (YAMLReader) and,
/// separately, decodes them through the tape (DocumentDecoder), with the
/// limits the store uses; each tree read is written back with YAMLWriter.
///
/// Errors are expected; a crash, a trap, a hang or unbounded memory is a
/// finding.
enum YAMLReaderHarness {
    /// The store's limits (`ResourceDocument` reads with the defaults).
    static let limits = ParseLimits.default

    /// Runs the harness on one input; always returns 0.
    static func run(_ bytes: [UInt8]) -> CInt {
        let writer = YAMLWriter()
        if let documents = try? YAMLReader(limits: limits).read(bytes) {
            for document in documents {
                _ = writer.writeBytes(document)
            }
        }
        // The tape path: the decoder reads the stream without building node
        // trees first. Invalid UTF-8 is replaced here; `read` saw it raw.
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? DocumentDecoder(limits: limits).decodeAll(Node.self, fromYAML: text)
        return 0
    }
}
