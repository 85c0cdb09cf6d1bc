/// The outer layer of an OpenSSH private key file (`openssh-key-v1`,
/// OpenSSH `PROTOCOL.key`): the public key in clear, and the private
/// section, encrypted or not.
struct SSHKeyContainer {
    static let beginLine = "-----BEGIN OPENSSH PRIVATE KEY-----"
    static let endLine = "-----END OPENSSH PRIVATE KEY-----"
    static let magic = Array("openssh-key-v1".utf8) + [0]
    /// The longest key file read (an RSA-16384 private key takes about 13 KiB).
    static let maximumLength = 256 * 1024

    /// The public key, in clear even when the private section is encrypted.
    let publicKey: SSHPublicKey
    /// The cipher of the private section: `none` when it is not encrypted.
    let cipherName: String
    /// The private section, as stored (encrypted unless ``cipherName`` is `none`).
    let privateSection: [UInt8]

    var isEncrypted: Bool { cipherName != "none" }

    /// Whether `text` looks like an OpenSSH private key file (its armor line).
    static func isOpenSSHPrivateKey(_ text: String) -> Bool {
        text.contains(beginLine)
    }

    init(text: String) throws(SigningError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw SigningError(.invalidKey, "the OpenSSH private key is longer than \(Self.maximumLength) bytes")
        }
        let bytes = try SSHBase64.dearmor(
            text, begin: Self.beginLine, end: Self.endLine, code: .invalidKey, subject: "the OpenSSH private key")
        var reader = SSHWireReader(bytes, code: .invalidKey, subject: "the OpenSSH private key")
        guard try reader.readBytes(count: Self.magic.count) == Self.magic else {
            throw reader.failure("it does not start with openssh-key-v1")
        }
        let cipherName = try reader.readText()
        let kdfName = try reader.readText()
        _ = try reader.readString()  // KDF options: only used to decrypt, which Giter does not do
        let count = try reader.readUInt32()
        guard count == 1 else { throw reader.failure("it holds \(count) keys, not one") }
        let publicBlob = try reader.readString()
        let privateSection = try reader.readString()
        try reader.expectEnd()
        guard cipherName != "none" || kdfName == "none" else {
            throw reader.failure("it is not encrypted but names the key derivation '\(kdfName)'")
        }
        self.publicKey = try SSHPublicKey(blob: publicBlob)
        self.cipherName = cipherName
        self.privateSection = privateSection
    }
}
