/// Reads the SSH wire format (RFC 4251 §5) from untrusted bytes.
///
/// Every read is bounded by what is left: a length prefix larger than the
/// rest of the input is an error, never a trap or a huge allocation. A
/// failure throws a ``SigningError`` of the reader's code, naming what was
/// being read.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset: Int
    /// The error code a malformed input throws (`.invalidKey`, `.invalidSignature`, `.agent`).
    private let code: SigningError.Code
    /// What the bytes are, for messages: "the public key blob".
    private let subject: String

    init(_ bytes: [UInt8], code: SigningError.Code, subject: String) {
        self.bytes = bytes
        self.offset = 0
        self.code = code
        self.subject = subject
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset == bytes.count }

    /// The number of bytes not read yet.
    var remaining: Int { bytes.count - offset }

    /// The error for malformed input, naming the subject.
    func failure(_ detail: String) -> SigningError {
        SigningError(code, "\(subject) is malformed: \(detail)")
    }

    mutating func readByte() throws(SigningError) -> UInt8 {
        guard remaining >= 1 else { throw failure("it ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() throws(SigningError) -> UInt32 {
        let raw = try readBytes(count: 4)
        return raw.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// `count` raw bytes.
    mutating func readBytes(count: Int) throws(SigningError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw failure("it ends early") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A `string`: a 32-bit length, then that many bytes.
    mutating func readString() throws(SigningError) -> [UInt8] {
        let length = try readUInt32()
        guard UInt64(length) <= UInt64(remaining) else {
            throw failure("a length of \(length) bytes runs past its end")
        }
        return try readBytes(count: Int(length))
    }

    /// A `string` that holds UTF-8 text.
    mutating func readText() throws(SigningError) -> String {
        let raw = try readString()
        guard let text = String(validating: raw, as: UTF8.self) else { throw failure("a name is not UTF-8") }
        return text
    }

    /// A non-negative `mpint`, as its big-endian magnitude without leading
    /// zero bytes (empty for zero). A negative number is malformed.
    mutating func readPositiveMPInt() throws(SigningError) -> [UInt8] {
        let raw = try readString()
        if let first = raw.first, first & 0x80 != 0 { throw failure("a number is negative") }
        return Array(raw.drop { $0 == 0 })
    }

    /// Throws unless every byte has been read.
    func expectEnd() throws(SigningError) {
        guard isAtEnd else { throw failure("\(remaining) bytes follow its end") }
    }
}
