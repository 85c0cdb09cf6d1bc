#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import GiterSchema

/// A recipient's public key for encrypted fields, as the policy lists it
/// under a member's `encryptionKeys`:
///
/// ```yaml
/// encryptionKeys:
/// - id: lab-2026
///   publicKey: 9XzR0p3m…=   # X25519, 32 bytes in base64
/// ```
///
/// The id names the key in every envelope sealed for it; it is unique in
/// the policy and never reused for another key (see `Documentation/Encryption.md`).
public struct EncryptionKey: Sendable, Hashable {
    /// 1 to 63 of `a-z`, `0-9`, `-`, `.`, `_`.
    public let id: String
    /// The X25519 public key: 32 bytes.
    public let publicKey: [UInt8]

    /// A key from its id and raw public key.
    ///
    /// - Throws: ``EncryptionError`` (`invalidKey`) for a malformed id or a
    ///   public key that is not 32 bytes.
    public init(id: String, publicKey: [UInt8]) throws(EncryptionError) {
        guard SealedValue.isValidKeyID(id) else {
            throw EncryptionError(
                .invalidKey, "\"\(id)\" is not a key id: use 1 to 63 of a-z, 0-9, '-', '.', '_'")
        }
        guard (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey)) != nil, publicKey.count == 32 else {
            throw EncryptionError(.invalidKey, "the public key of \(id) is not an X25519 key (32 bytes)")
        }
        self.id = id
        self.publicKey = publicKey
    }

    /// A key from its id and the base64 text of its public key.
    public init(id: String, publicKeyText: String) throws(EncryptionError) {
        guard let data = Data(base64Encoded: publicKeyText) else {
            throw EncryptionError(.invalidKey, "the public key of \(id) is not base64")
        }
        try self.init(id: id, publicKey: [UInt8](data))
    }

    /// The public key in base64, as the policy holds it.
    public var publicKeyText: String { Data(publicKey).base64EncodedString() }

    var agreementKey: Curve25519.KeyAgreement.PublicKey {
        // Checked in init.
        try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey)
    }
}
