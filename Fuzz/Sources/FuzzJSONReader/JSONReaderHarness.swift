// libFuzzer harness: the JSON reader on arbitrary bytes.

import FoundationEssentials
import GiterCodec

/// Reads the input as one JSON text and as a stream of texts (JSONReader),
/// and decodes it through the tape (DocumentDecoder), with the limits the
/// store uses; a value read is written back with JSONWriter.
///
/// Errors are expected; a crash, a trap, a hang or unbounded memory is a
/// finding.
enum JSONReaderHarness {
    /// The store's limits (the defaults).
    static let limits = ParseLimits.default

    /// Runs the harness on one input; always returns 0.
    static func run(_ bytes: [UInt8]) -> CInt {
        let reader = JSONReader(limits: limits)
        if let node = try? reader.read(bytes) {
            _ = try? JSONWriter().writeBytes(node)
        }
        _ = try? reader.readStream(bytes)
        _ = try? DocumentDecoder(limits: limits).decode(Node.self, fromJSON: Data(bytes))
        return 0
    }
}
