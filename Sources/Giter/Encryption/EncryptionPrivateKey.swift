#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import GiterSchema

/// A reader's private key for encrypted fields: an X25519 key and the id
/// the policy lists its public half under.
///
/// Its file (`giter key generate` writes one, mode 0600) is a small YAML
/// mapping:
///
/// ```yaml
/// # A Giter encryption key (X25519). Keep this file secret.
/// id: lab-2026
/// privateKey: 0mQ3…=   # 32 bytes in base64
/// ```
public struct EncryptionPrivateKey: Sendable {
    /// The largest key file read.
    static let maxFileBytes = 64 * 1024

    public let id: String
    let key: Curve25519.KeyAgreement.PrivateKey

    /// A new random key with the given id.
    public static func generate(id: String) throws(EncryptionError) -> EncryptionPrivateKey {
        try EncryptionPrivateKey(id: id, rawRepresentation: [UInt8](Curve25519.KeyAgreement.PrivateKey().rawRepresentation))
    }

    /// A key from its id and its 32 raw bytes.
    public init(id: String, rawRepresentation: [UInt8]) throws(EncryptionError) {
        guard SealedValue.isValidKeyID(id) else {
            throw EncryptionError(.invalidKey, "\"\(id)\" is not a key id: use 1 to 63 of a-z, 0-9, '-', '.', '_'")
        }
        guard rawRepresentation.count == 32,
            let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: rawRepresentation)
        else {
            throw EncryptionError(.invalidKey, "the private key of \(id) is not an X25519 key (32 bytes)")
        }
        self.id = id
        self.key = key
    }

    /// The public half, as the policy lists it.
    public var publicKey: EncryptionKey {
        // A valid private key's public half is always a valid public key.
        try! EncryptionKey(id: id, publicKey: [UInt8](key.publicKey.rawRepresentation))
    }

    /// Reads a key file's text.
    ///
    /// - Throws: ``EncryptionError`` (`invalidKey`) naming `file` and what is wrong.
    public init(fileBytes bytes: [UInt8], file: String) throws(EncryptionError) {
        guard bytes.count <= Self.maxFileBytes else {
            throw EncryptionError(.invalidKey, "\(file): a key file is at most \(Self.maxFileBytes) bytes")
        }
        let node: Node
        do {
            node = try YAMLReader().readDocument(bytes)
        } catch {
            throw EncryptionError(.invalidKey, "\(file): not a Giter encryption key file: \(error)")
        }
        guard let mapping = node.mapping, Set(mapping.keys) == ["id", "privateKey"],
            let id = mapping["id"]?.string, let text = mapping["privateKey"]?.string
        else {
            throw EncryptionError(
                .invalidKey,
                "\(file): a Giter encryption key file holds exactly `id` and `privateKey` (make one with giter key generate)")
        }
        guard let data = Data(base64Encoded: text) else {
            throw EncryptionError(.invalidKey, "\(file): privateKey is not base64")
        }
        do {
            try self.init(id: id, rawRepresentation: [UInt8](data))
        } catch {
            throw EncryptionError(.invalidKey, "\(file): \(error.message)")
        }
    }

    /// Reads a key file.
    public init(contentsOfFile path: String) throws(EncryptionError) {
        let bytes: [UInt8]
        do {
            bytes = try SSHSystem.readFile(at: path, limit: Self.maxFileBytes)
        } catch {
            throw EncryptionError(.invalidKey, "\(path): cannot read the key file (\(error.message))")
        }
        try self.init(fileBytes: bytes, file: path)
    }

    /// The key file's text.
    public var fileText: String {
        let privateText = Data(key.rawRepresentation).base64EncodedString()
        return """
            # A Giter encryption key (X25519). Keep this file secret: it opens every value sealed for \(id).
            # Its public half, for a member's encryptionKeys in .giter/policy.yaml:
            #   - id: \(id)
            #     publicKey: \(publicKey.publicKeyText)
            id: \(id)
            privateKey: \(privateText)

            """
    }
}
