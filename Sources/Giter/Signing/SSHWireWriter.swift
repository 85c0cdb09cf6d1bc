/// Writes the SSH wire format (RFC 4251 §5).
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(byte: UInt8) {
        bytes.append(byte)
    }

    mutating func write(uint32 value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Bytes as they are, without a length.
    mutating func write(raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// A `string`: a 32-bit length, then the bytes.
    mutating func write(string: some Collection<UInt8>) {
        write(uint32: UInt32(truncatingIfNeeded: string.count))
        bytes.append(contentsOf: string)
    }

    /// A `string` holding `text` as UTF-8.
    mutating func write(text: String) {
        write(string: Array(text.utf8))
    }

    /// A non-negative `mpint` from its big-endian magnitude: leading zero
    /// bytes dropped, a zero byte put in front when the top bit is set.
    mutating func write(positiveMPInt magnitude: some Collection<UInt8>) {
        let trimmed = Array(magnitude.drop { $0 == 0 })
        if let first = trimmed.first, first & 0x80 != 0 {
            write(string: [0] + trimmed)
        } else {
            write(string: trimmed)
        }
    }
}
