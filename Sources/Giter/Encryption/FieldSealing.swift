#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import GiterSchema

/// Sealing one field's value for its recipients, and opening it: X25519
/// with a one-time key per envelope, HKDF-SHA256, ChaCha20-Poly1305. The
/// associated data binds the resource key and the field path (and, for a
/// wrapped key, the key id), so a value moved to another field or resource
/// does not open. The layout is in `Documentation/Encryption.md`.
public enum FieldSealing {
    /// The largest plaintext (the value's JSON) sealed or opened.
    public static let maxPlaintextBytes = 1 << 20

    /// `value` sealed for `recipients`, as the envelope's text.
    ///
    /// - Throws: ``EncryptionError``: `noRecipients` for an empty list, or
    ///   more than ``SealedValue/maxRecipients``; `malformed` for a value too
    ///   large or not writable as JSON.
    public static func seal(
        _ value: Node, resource: ResourceKey, field: String, recipients: [EncryptionKey]
    ) throws(EncryptionError) -> String {
        guard !recipients.isEmpty else {
            throw EncryptionError(
                .noRecipients,
                "\(resource) \(field) is x-giter-encrypted but the policy lists no encryptionKeys for a member of "
                    + "a party covering it; add one (giter key generate) to .giter/policy.yaml")
        }
        guard recipients.count <= SealedValue.maxRecipients else {
            throw EncryptionError(
                .noRecipients, "\(resource) has \(recipients.count) recipients; at most \(SealedValue.maxRecipients)")
        }
        let plaintext: [UInt8]
        do {
            plaintext = try JSONWriter(options: .init(sortedKeys: true)).writeBytes(value)
        } catch {
            throw EncryptionError(.malformed, "\(resource) \(field): the value cannot be written as JSON: \(error)")
        }
        guard plaintext.count <= maxPlaintextBytes else {
            throw EncryptionError(.malformed, "\(resource) \(field): the value is over \(maxPlaintextBytes) bytes")
        }
        let contentKey = SymmetricKey(size: .bits256)
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let ephemeralPublic = [UInt8](ephemeral.publicKey.rawRepresentation)
        let context = associatedData(resource: resource, field: field)
        var wrapped: [SealedValue.Recipient] = []
        do {
            for recipient in recipients {
                let wrapKey = try wrappingKey(
                    secret: ephemeral.sharedSecretFromKeyAgreement(with: recipient.agreementKey),
                    ephemeralPublic: ephemeralPublic, recipientPublic: recipient.publicKey, keyID: recipient.id)
                let box = try ChaChaPoly.seal(
                    contentKey.withUnsafeBytes { [UInt8]($0) }, using: wrapKey, nonce: zeroNonce,
                    authenticating: wrapData(context, keyID: recipient.id))
                wrapped.append(SealedValue.Recipient(keyID: recipient.id, wrappedKey: [UInt8](box.ciphertext + box.tag)))
            }
            let box = try ChaChaPoly.seal(plaintext, using: contentKey, authenticating: context)
            let envelope = SealedValue(
                ephemeralPublicKey: ephemeralPublic, recipients: wrapped, nonce: [UInt8](box.nonce),
                ciphertext: [UInt8](box.ciphertext + box.tag))
            return envelope.text
        } catch {
            throw EncryptionError(.malformed, "\(resource) \(field): sealing failed: \(error)")
        }
    }

    /// The value `text` seals, opened with a key of `keyring`.
    ///
    /// - Throws: ``EncryptionError``: `malformed` for a bad envelope,
    ///   `missingKey` when the keyring holds none of its key ids,
    ///   `notOpened` when a key does not open it (the wrong key under that
    ///   id, a tampered envelope, or one sealed for another field or resource).
    public static func open(
        _ text: String, resource: ResourceKey, field: String, keyring: FieldKeyring
    ) throws(EncryptionError) -> Node {
        let envelope: SealedValue
        do {
            envelope = try SealedValue(text: text)
        } catch {
            throw EncryptionError(.malformed, "\(resource) \(field): the encrypted value \(error.message)")
        }
        guard let recipient = envelope.recipients.first(where: { keyring.keys[$0.keyID] != nil }),
            let key = keyring.keys[recipient.keyID]
        else {
            throw EncryptionError(
                .missingKey,
                "\(resource) \(field) is sealed for the key ids \(envelope.keyIDs.joined(separator: ", ")); this reader "
                    + "holds \(keyring.isEmpty ? "no key" : keyring.keyIDs.joined(separator: ", ")): give it the key "
                    + "file of one of them (after a rotation, keep the old key files too)")
        }
        let context = associatedData(resource: resource, field: field)
        let plaintext: [UInt8]
        do {
            guard let publicKey = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: envelope.ephemeralPublicKey)
            else { throw EncryptionError(.malformed, "bad ephemeral key") }
            let wrapKey = try wrappingKey(
                secret: key.key.sharedSecretFromKeyAgreement(with: publicKey),
                ephemeralPublic: envelope.ephemeralPublicKey,
                recipientPublic: [UInt8](key.key.publicKey.rawRepresentation), keyID: recipient.keyID)
            let wrapped = try ChaChaPoly.SealedBox(
                nonce: zeroNonce, ciphertext: recipient.wrappedKey.prefix(32), tag: recipient.wrappedKey.suffix(16))
            let contentKey = SymmetricKey(
                data: try ChaChaPoly.open(wrapped, using: wrapKey, authenticating: wrapData(context, keyID: recipient.keyID)))
            let tagStart = envelope.ciphertext.count - SealedValue.tagSize
            let box = try ChaChaPoly.SealedBox(
                nonce: ChaChaPoly.Nonce(data: envelope.nonce), ciphertext: envelope.ciphertext[..<tagStart],
                tag: envelope.ciphertext[tagStart...])
            plaintext = [UInt8](try ChaChaPoly.open(box, using: contentKey, authenticating: context))
        } catch {
            throw EncryptionError(
                .notOpened,
                "\(resource) \(field) does not open with the key \(recipient.keyID): the key file is not the one "
                    + "the policy lists under that id, or the value was altered, or it was sealed for another field "
                    + "or resource and moved here; the producer must apply it again")
        }
        guard plaintext.count <= maxPlaintextBytes else {
            throw EncryptionError(.malformed, "\(resource) \(field): the value is over \(maxPlaintextBytes) bytes")
        }
        do {
            return try JSONReader().read(plaintext)
        } catch {
            throw EncryptionError(.malformed, "\(resource) \(field): the opened value is not JSON: \(error)")
        }
    }

    /// Whether two values seal the same plaintext: their JSON with sorted
    /// keys is the same, so a mapping's key order (the opened value's is
    /// sorted, the applied one's is the encoder's) makes no difference.
    public static func isSameValue(_ left: Node, _ right: Node) -> Bool {
        let writer = JSONWriter(options: .init(sortedKeys: true))
        guard let leftBytes = try? writer.writeBytes(left), let rightBytes = try? writer.writeBytes(right) else {
            return false
        }
        return leftBytes == rightBytes
    }

    /// The key ids `text` is sealed for; `nil` when it is not a well-formed envelope.
    public static func keyIDs(of text: String) -> [String]? {
        (try? SealedValue(text: text))?.keyIDs
    }

    // MARK: The construction

    /// A wrapped key is sealed once with its own key: a nonce of zeros is safe.
    private static let zeroNonce = try! ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12))

    /// `"giter-enc:v1"`, namespace, kind, name, field: each as a 4-byte
    /// big-endian length and its UTF-8 bytes.
    static func associatedData(resource: ResourceKey, field: String) -> [UInt8] {
        var out: [UInt8] = []
        for part in ["giter-enc:v1", resource.namespace, resource.kind, resource.name, field] {
            appendLengthPrefixed(Array(part.utf8), to: &out)
        }
        return out
    }

    /// The associated data of a wrapped key: the value's, then the key id.
    static func wrapData(_ context: [UInt8], keyID: String) -> [UInt8] {
        var out = context
        appendLengthPrefixed(Array(keyID.utf8), to: &out)
        return out
    }

    private static func appendLengthPrefixed(_ bytes: [UInt8], to out: inout [UInt8]) {
        let count = UInt32(bytes.count)
        out += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        out += bytes
    }

    /// HKDF-SHA256 of the shared secret; salt: the ephemeral then the
    /// recipient's public key; info: `"giter-enc:v1 wrap"` and the key id.
    private static func wrappingKey(
        secret: SharedSecret, ephemeralPublic: [UInt8], recipientPublic: [UInt8], keyID: String
    ) throws -> SymmetricKey {
        var info = Array("giter-enc:v1 wrap".utf8)
        appendLengthPrefixed(Array(keyID.utf8), to: &info)
        return secret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: ephemeralPublic + recipientPublic, sharedInfo: info, outputByteCount: 32)
    }
}
