/// The envelope an `x-giter-encrypted` field holds in a resource file: one
/// string, `giter-enc:v1:` followed by the envelope's bytes in standard,
/// padded base64. `Documentation/Encryption.md` gives the layout byte by
/// byte; in short:
///
/// ```
/// version (1 byte, 1) | ephemeral X25519 public key (32)
/// | recipient count N (1 byte, 1…32)
/// | N × ( key id length L (1 byte, 1…63) | key id (L bytes) | wrapped content key (48) )
/// | nonce (12) | ciphertext of the value's JSON | tag (16)
/// ```
///
/// This type reads and writes the shape only; sealing and opening (X25519,
/// HKDF-SHA256, ChaCha20-Poly1305) live in the `Giter` module, so that a
/// reader without a key — `giter verify`, the guard — checks the shape with
/// no cryptography at all.
public struct SealedValue: Sendable, Hashable {
    /// The text every envelope starts with.
    public static let prefix = "giter-enc:v1:"
    /// The format's version byte.
    public static let version: UInt8 = 1
    /// The most recipients one envelope names.
    public static let maxRecipients = 32
    /// The longest key id.
    public static let maxKeyIDLength = 63
    /// The size of a wrapped content key: 32 bytes of ciphertext and a 16-byte tag.
    public static let wrappedKeySize = 48
    public static let nonceSize = 12
    public static let tagSize = 16

    /// One recipient: the id of its key (as the policy names it) and the content key wrapped for it.
    public struct Recipient: Sendable, Hashable {
        public var keyID: String
        /// 48 bytes.
        public var wrappedKey: [UInt8]

        public init(keyID: String, wrappedKey: [UInt8]) {
            self.keyID = keyID
            self.wrappedKey = wrappedKey
        }
    }

    /// The sender's one-time X25519 public key (32 bytes).
    public var ephemeralPublicKey: [UInt8]
    public var recipients: [Recipient]
    /// The content nonce (12 bytes).
    public var nonce: [UInt8]
    /// The encrypted value followed by its 16-byte tag.
    public var ciphertext: [UInt8]

    public init(ephemeralPublicKey: [UInt8], recipients: [Recipient], nonce: [UInt8], ciphertext: [UInt8]) {
        self.ephemeralPublicKey = ephemeralPublicKey
        self.recipients = recipients
        self.nonce = nonce
        self.ciphertext = ciphertext
    }

    /// Whether a key id is well formed: 1 to 63 of `a-z`, `0-9`, `-`, `.`, `_`.
    public static func isValidKeyID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        return !bytes.isEmpty && bytes.count <= maxKeyIDLength
            && bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }
    }

    /// Whether `text` starts like an envelope (it may still be malformed).
    public static func looksSealed(_ text: String) -> Bool { text.hasPrefix(prefix) }

    /// Reads an envelope from its text.
    ///
    /// - Throws: ``SealedValueError`` saying what is wrong with the shape.
    public init(text: String) throws(SealedValueError) {
        guard text.hasPrefix(Self.prefix) else {
            throw SealedValueError("is not an encrypted value (it must start with \(Self.prefix))")
        }
        guard let bytes = Base64.decode(text.utf8.dropFirst(Self.prefix.utf8.count)) else {
            throw SealedValueError("is not an encrypted value: the text after \(Self.prefix) is not padded base64")
        }
        try self.init(bytes: bytes)
    }

    /// Reads an envelope from its bytes.
    public init(bytes: [UInt8]) throws(SealedValueError) {
        var reader = ByteReader(bytes: bytes)
        guard let version = reader.byte(), version == Self.version else {
            throw SealedValueError("has an unknown envelope version; this reader knows version \(Self.version)")
        }
        guard let ephemeral = reader.bytes(32) else { throw SealedValueError("is truncated (ephemeral key)") }
        guard let count = reader.byte(), count >= 1, Int(count) <= Self.maxRecipients else {
            throw SealedValueError("must name 1 to \(Self.maxRecipients) recipients")
        }
        var recipients: [Recipient] = []
        for _ in 0..<count {
            guard let length = reader.byte(), length >= 1, Int(length) <= Self.maxKeyIDLength,
                let idBytes = reader.bytes(Int(length))
            else { throw SealedValueError("is truncated or has a bad key id length") }
            let id = String(decoding: idBytes, as: UTF8.self)
            guard Self.isValidKeyID(id) else { throw SealedValueError("has a malformed key id") }
            guard !recipients.contains(where: { $0.keyID == id }) else {
                throw SealedValueError("names the key id \(id) twice")
            }
            guard let wrapped = reader.bytes(Self.wrappedKeySize) else {
                throw SealedValueError("is truncated (wrapped key for \(id))")
            }
            recipients.append(Recipient(keyID: id, wrappedKey: wrapped))
        }
        guard let nonce = reader.bytes(Self.nonceSize) else { throw SealedValueError("is truncated (nonce)") }
        let rest = reader.rest()
        guard rest.count >= Self.tagSize else { throw SealedValueError("is truncated (ciphertext and tag)") }
        self.init(ephemeralPublicKey: ephemeral, recipients: recipients, nonce: nonce, ciphertext: rest)
    }

    /// The envelope's bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = [Self.version]
        out += ephemeralPublicKey
        out.append(UInt8(recipients.count))
        for recipient in recipients {
            out.append(UInt8(recipient.keyID.utf8.count))
            out += recipient.keyID.utf8
            out += recipient.wrappedKey
        }
        out += nonce
        out += ciphertext
        return out
    }

    /// The envelope's text, as a resource file holds it.
    public var text: String { Self.prefix + Base64.encode(bytes) }

    /// The key ids of the recipients, in order.
    public var keyIDs: [String] { recipients.map(\.keyID) }
}

/// What is wrong with an envelope's shape.
public struct SealedValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Completes "the value …": `is truncated (nonce)`.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }
}

/// Standard base64 with padding (RFC 4648 §4), strict: no whitespace, no
/// missing or extra padding, no non-zero bits after the data.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            let b0 = bytes[index]
            let b1 = count > 1 ? bytes[index + 1] : 0
            let b2 = count > 2 ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        let input = Array(text)
        guard input.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            let pad = isLast ? (input[index + 3] == UInt8(ascii: "=") ? (input[index + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
            // Four 6-bit values; a padded position stays 0.
            var quad: UInt32 = 0
            for offset in 0..<4 {
                quad <<= 6
                guard offset < 4 - pad else { continue }
                let value = values[Int(input[index + offset])]
                guard value != 0xFF else { return nil }
                quad |= UInt32(value)
            }
            out.append(UInt8(truncatingIfNeeded: quad >> 16))
            if pad == 2 {
                guard quad & 0xFFFF == 0 else { return nil }
            } else {
                out.append(UInt8(truncatingIfNeeded: quad >> 8))
                if pad == 1 {
                    guard quad & 0xFF == 0 else { return nil }
                } else {
                    out.append(UInt8(truncatingIfNeeded: quad))
                }
            }
            index += 4
        }
        return out
    }
}
