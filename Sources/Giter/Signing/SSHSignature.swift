import Crypto

/// An SSH signature in the `sshsig` format (OpenSSH `PROTOCOL.sshsig`):
/// what `ssh-keygen -Y sign` writes and what git puts in a commit's
/// `gpgsig` header with `gpg.format=ssh`.
///
/// The signature names its key, its namespace (`git` for commits) and the
/// hash of the message it signs. Reading one checks only its form;
/// ``verifies(_:namespace:)`` checks that it signs a message. Whether the
/// key is one the policy trusts is the caller's question: compare
/// ``publicKey`` with the policy's keys.
public struct SSHSignature: Sendable, Hashable {
    /// The key that made the signature (read from an armored signature, it has no comment).
    public let publicKey: SSHPublicKey
    /// The signature's domain: `git` for commits, `file` for files.
    public let namespace: String
    /// The hash of the message that was signed: `sha512` or `sha256`.
    public let hashAlgorithm: String
    /// The SSH signature blob (string algorithm ‖ string bytes).
    public let signature: [UInt8]

    static let beginLine = "-----BEGIN SSH SIGNATURE-----"
    static let endLine = "-----END SSH SIGNATURE-----"
    static let magic = Array("SSHSIG".utf8)
    /// The longest armored signature read (an RSA-16384 signature takes about 6 KiB).
    static let maximumArmorLength = 64 * 1024

    /// Reads an armored signature; ``SigningError/Code/invalidSignature``
    /// when it is not one, ``SigningError/Code/unsupportedKey`` when its key
    /// is of a type Giter does not verify.
    public init(armored: String) throws(SigningError) {
        guard armored.utf8.count <= Self.maximumArmorLength else {
            throw SigningError(.invalidSignature, "the SSH signature is longer than \(Self.maximumArmorLength) bytes")
        }
        let bytes = try SSHBase64.dearmor(
            armored, begin: Self.beginLine, end: Self.endLine, code: .invalidSignature, subject: "the SSH signature")
        var reader = SSHWireReader(bytes, code: .invalidSignature, subject: "the SSH signature")
        guard try reader.readBytes(count: Self.magic.count) == Self.magic else {
            throw reader.failure("it does not start with SSHSIG")
        }
        let version = try reader.readUInt32()
        guard version == 1 else { throw reader.failure("its version is \(version), not 1") }
        let keyBlob = try reader.readString()
        let namespace = try reader.readText()
        _ = try reader.readString()  // reserved: not signed, ignored as OpenSSH does
        let hashAlgorithm = try reader.readText()
        let signature = try reader.readString()
        try reader.expectEnd()
        let publicKey: SSHPublicKey
        do {
            publicKey = try SSHPublicKey(blob: keyBlob)
        } catch let error where error.code == .invalidKey {
            throw SigningError(.invalidSignature, "the key inside the SSH signature is malformed", underlying: error)
        }
        self.init(publicKey: publicKey, namespace: namespace, hashAlgorithm: hashAlgorithm, signature: signature)
    }

    public init(publicKey: SSHPublicKey, namespace: String, hashAlgorithm: String, signature: [UInt8]) {
        self.publicKey = publicKey
        self.namespace = namespace
        self.hashAlgorithm = hashAlgorithm
        self.signature = signature
    }

    /// The armored text, as `ssh-keygen -Y sign` writes it (ends with a newline).
    public var armored: String {
        var writer = SSHWireWriter()
        writer.write(raw: Self.magic)
        writer.write(uint32: 1)
        writer.write(string: publicKey.blob)
        writer.write(text: namespace)
        writer.write(string: [])
        writer.write(text: hashAlgorithm)
        writer.write(string: signature)
        let lines = [Self.beginLine] + SSHBase64.wrapped(writer.bytes) + [Self.endLine]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether it signs `message` in `namespace` (and its own key made it).
    ///
    /// `false` when the namespace differs, the hash is neither `sha512` nor
    /// `sha256`, or the signature does not verify with ``publicKey``.
    public func verifies(_ message: [UInt8], namespace: String) -> Bool {
        guard self.namespace == namespace, Self.acceptedHashAlgorithms.contains(hashAlgorithm) else { return false }
        let data = Self.signedData(for: message, namespace: namespace, hashAlgorithm: hashAlgorithm)
        return publicKey.isValidSignature(signature, for: data)
    }

    /// The hashes a signature may use: `sha512` (what Giter and
    /// `ssh-keygen` sign with) and `sha256`.
    static let acceptedHashAlgorithms: Set<String> = ["sha512", "sha256"]

    /// The bytes the key signs for `message` (the `SSHSIG` blob).
    ///
    /// `hashAlgorithm` is `sha512` or `sha256`; for any other name the
    /// blob holds an empty hash, and ``verifies(_:namespace:)`` refuses
    /// such signatures before it gets here.
    public static func signedData(for message: [UInt8], namespace: String, hashAlgorithm: String) -> [UInt8] {
        let digest: [UInt8] =
            switch hashAlgorithm {
            case "sha512": Array(SHA512.hash(data: message))
            case "sha256": Array(SHA256.hash(data: message))
            default: []
            }
        var writer = SSHWireWriter()
        writer.write(raw: magic)
        writer.write(text: namespace)
        writer.write(string: [])
        writer.write(text: hashAlgorithm)
        writer.write(string: digest)
        return writer.bytes
    }
}
