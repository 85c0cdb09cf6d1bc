/// A W3C Trace Context `traceparent` value
/// (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`), read strictly:
/// it comes from commit messages, which anyone with push access writes.
///
/// Only version `00` is accepted, in lowercase hexadecimal, with a trace id
/// and a parent id that are not all zeros — exactly 55 characters. Anything
/// else is not a trace context (`nil`), never an error: a bad trailer costs
/// the trace, nothing more (see `Documentation/Tracing.md`).
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// The value as written, 55 characters.
    public let value: String

    /// The length of a version-00 `traceparent`.
    public static let length = 55

    /// `text` when it is a well-formed version-00 `traceparent`, else `nil`.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == Self.length, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
            bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
        else { return nil }
        let traceID = bytes[3..<35]
        let parentID = bytes[36..<52]
        let flags = bytes[53..<55]
        guard traceID.allSatisfy(Self.isHex), parentID.allSatisfy(Self.isHex), flags.allSatisfy(Self.isHex),
            traceID.contains(where: { $0 != UInt8(ascii: "0") }), parentID.contains(where: { $0 != UInt8(ascii: "0") })
        else { return nil }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// The 32 hexadecimal digits of the trace id.
    public var traceID: Substring { value.dropFirst(3).prefix(32) }

    /// The 16 hexadecimal digits of the span that is the parent of what follows.
    public var parentID: Substring { value.dropFirst(36).prefix(16) }

    public var description: String { value }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
