import Crypto
import _CryptoExtras

/// An OpenSSH public key: what a policy lists for a member and what an SSH
/// signature names as its signer.
///
/// Giter signs and verifies with `ssh-ed25519`, `ecdsa-sha2-nistp256`,
/// `ecdsa-sha2-nistp384` and `ssh-rsa` keys of 2048 to 16384 bits. Other
/// key types (DSA, NIST P-521, FIDO `sk-` keys, certificates) are refused
/// with ``SigningError/Code/unsupportedKey``.
///
/// Two keys are equal when their key material (``blob``) is: the
/// ``comment`` is a label and takes no part in equality or hashing, so a
/// policy's key line and the key inside a signature compare equal.
public struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The key types Giter signs and verifies with.
    public enum Algorithm: String, Sendable, Hashable {
        case ed25519 = "ssh-ed25519"
        case ecdsaP256 = "ecdsa-sha2-nistp256"
        case ecdsaP384 = "ecdsa-sha2-nistp384"
        case rsa = "ssh-rsa"
    }

    /// The key's type.
    public let algorithm: Algorithm
    /// The key in SSH wire format (what the base64 of a key line holds).
    public let blob: [UInt8]
    /// The key line's comment, usually `user@host`; nil when it has none.
    public let comment: String?
    /// The key, parsed once, to verify with.
    let material: Material

    /// The parsed key of each algorithm.
    enum Material: Sendable {
        case ed25519(Curve25519.Signing.PublicKey)
        case ecdsaP256(P256.Signing.PublicKey)
        case ecdsaP384(P384.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    /// The longest key line read (an RSA key of 16384 bits takes under 3,000 characters).
    static let maximumLineLength = 16 * 1024
    /// The smallest RSA modulus accepted, in bits.
    static let minimumRSABits = 2048
    /// The largest RSA modulus accepted, in bits (OpenSSH's own limit).
    static let maximumRSABits = 16384

    /// An OpenSSH public key line: `ssh-ed25519 AAAA… [comment]` (no options prefix).
    ///
    /// Throws ``SigningError/Code/invalidKey`` when the line is not a key
    /// line or its type does not match its key, and
    /// ``SigningError/Code/unsupportedKey`` for a key type or size Giter
    /// does not use.
    public init(line: String) throws(SigningError) {
        guard line.utf8.count <= Self.maximumLineLength else {
            throw SigningError(.invalidKey, "an SSH public key line is longer than \(Self.maximumLineLength) bytes")
        }
        let trimmed = line[...].trimmingWhitespace()
        guard !trimmed.contains(where: \.isNewline) else {
            throw SigningError(.invalidKey, "an SSH public key line holds more than one line: give one key per line")
        }
        let fields = trimmed.split(maxSplits: 2, omittingEmptySubsequences: true) { $0 == " " || $0 == "\t" }
            .map { $0.trimmingWhitespace() }
        guard fields.count >= 2 else {
            throw SigningError(
                .invalidKey,
                "'\(Self.excerpt(line))' is not an OpenSSH public key line (expected 'ssh-ed25519 AAAA… comment', "
                    + "as in a .pub file)")
        }
        guard let blob = SSHBase64.decode(fields[1]) else {
            throw SigningError(.invalidKey, "the key of the SSH public key line '\(Self.excerpt(line))' is not valid base64")
        }
        let comment = fields.count > 2 ? String(fields[2]) : ""
        try self.init(blob: blob, comment: comment.isEmpty ? nil : comment)
        guard algorithm.rawValue == fields[0] else {
            throw SigningError(
                .invalidKey,
                "the SSH public key line names the type '\(Self.excerpt(String(fields[0])))' but holds a "
                    + "\(algorithm.rawValue) key")
        }
    }

    /// A key in SSH wire format, as a key line's base64 or a signature holds it.
    public init(blob: [UInt8], comment: String? = nil) throws(SigningError) {
        var reader = SSHWireReader(blob, code: .invalidKey, subject: "the SSH public key")
        let type = try reader.readText()
        guard let algorithm = Algorithm(rawValue: type) else {
            throw SigningError(
                .unsupportedKey,
                "SSH keys of type '\(Self.excerpt(type))' are not supported: use an ssh-ed25519 (recommended), "
                    + "ecdsa-sha2-nistp256, ecdsa-sha2-nistp384 or ssh-rsa (2048 bits or more) key")
        }
        let material: Material
        switch algorithm {
        case .ed25519:
            let raw = try reader.readString()
            guard raw.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                throw reader.failure("an Ed25519 key is 32 bytes, not \(raw.count)")
            }
            material = .ed25519(key)
        case .ecdsaP256, .ecdsaP384:
            let curve = try reader.readText()
            let expected = algorithm == .ecdsaP256 ? "nistp256" : "nistp384"
            guard curve == expected else { throw reader.failure("a \(type) key names the curve '\(curve)'") }
            let point = try reader.readString()
            guard point.first == 0x04 else { throw reader.failure("the ECDSA point is not in uncompressed form") }
            do {
                material =
                    algorithm == .ecdsaP256
                    ? .ecdsaP256(try P256.Signing.PublicKey(x963Representation: point))
                    : .ecdsaP384(try P384.Signing.PublicKey(x963Representation: point))
            } catch {
                throw SigningError(.invalidKey, "the SSH public key is malformed: its ECDSA point is not on \(curve)")
            }
        case .rsa:
            let exponent = try reader.readPositiveMPInt()
            let modulus = try reader.readPositiveMPInt()
            material = .rsa(try Self.rsaKey(modulus: modulus, exponent: exponent))
        }
        try reader.expectEnd()
        self.algorithm = algorithm
        self.blob = blob
        self.comment = comment
        self.material = material
    }

    /// `SHA256:` and the unpadded base64 of SHA-256(blob), as `ssh-keygen -l` prints.
    public var fingerprint: String {
        let digest = SHA256.hash(data: blob)
        let text = SSHBase64.encode(Array(digest))
        return "SHA256:" + text.prefix { $0 != "=" }
    }

    /// `algorithm base64 [comment]`: the key line.
    public var description: String {
        let line = "\(algorithm.rawValue) \(SSHBase64.encode(blob))"
        guard let comment else { return line }
        return "\(line) \(comment)"
    }

    public static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool {
        lhs.blob == rhs.blob
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(blob)
    }

    /// An RSA public key, refused under ``minimumRSABits`` or over ``maximumRSABits``.
    static func rsaKey(modulus: [UInt8], exponent: [UInt8]) throws(SigningError) -> _RSA.Signing.PublicKey {
        let bits = bitCount(modulus)
        guard bits >= minimumRSABits else {
            throw SigningError(
                .unsupportedKey,
                "the RSA key has \(bits) bits: RSA keys under \(minimumRSABits) bits can be broken and are refused; "
                    + "make a new key, preferably with `ssh-keygen -t ed25519`")
        }
        guard bits <= maximumRSABits else {
            throw SigningError(.unsupportedKey, "the RSA key has \(bits) bits, more than the \(maximumRSABits) accepted")
        }
        guard !exponent.isEmpty, exponent.count <= 8, exponent.last.map({ $0 & 1 == 1 }) == true else {
            throw SigningError(.invalidKey, "the SSH public key is malformed: its RSA exponent is not a small odd number")
        }
        do {
            return try _RSA.Signing.PublicKey(n: modulus, e: exponent)
        } catch {
            throw SigningError(.invalidKey, "the SSH public key is malformed: its RSA numbers are refused", underlying: error)
        }
    }

    /// The number of significant bits in a big-endian magnitude without leading zero bytes.
    static func bitCount(_ magnitude: [UInt8]) -> Int {
        guard let first = magnitude.first else { return 0 }
        return (magnitude.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    /// The start of untrusted text, for an error message.
    static func excerpt(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}

extension Substring {
    /// The substring without leading and trailing white space and line ends.
    fileprivate func trimmingWhitespace() -> Substring {
        let trimmed = drop { $0.isWhitespace }
        var end = trimmed.endIndex
        while end > trimmed.startIndex, trimmed[trimmed.index(before: end)].isWhitespace {
            end = trimmed.index(before: end)
        }
        return trimmed[trimmed.startIndex..<end]
    }
}
