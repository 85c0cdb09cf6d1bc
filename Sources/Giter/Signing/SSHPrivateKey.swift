import Crypto
import _CryptoExtras

/// An SSH private key read from an unencrypted OpenSSH private key file,
/// to sign in this process.
///
/// Giter reads only the `openssh-key-v1` format that `ssh-keygen` writes
/// (`-----BEGIN OPENSSH PRIVATE KEY-----`), and only unencrypted: it never
/// asks for a passphrase. An encrypted key signs through `ssh-agent`
/// (``SSHAgentSigner``).
public struct SSHPrivateKey: Sendable {
    /// The public half, with the key file's comment.
    public let publicKey: SSHPublicKey
    /// The private key of each algorithm.
    private let material: Material

    private enum Material: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case ecdsaP256(P256.Signing.PrivateKey)
        case ecdsaP384(P384.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    /// An unencrypted `openssh-key-v1` file's text. An encrypted one throws
    /// `.encryptedKey` (its message says: load it into ssh-agent).
    ///
    /// Throws ``SigningError/Code/invalidKey`` for a malformed file
    /// (including check numbers or public halves that disagree) and
    /// ``SigningError/Code/unsupportedKey`` for a key type or size Giter
    /// does not sign with.
    public init(openSSH text: String) throws(SigningError) {
        let container = try SSHKeyContainer(text: text)
        guard !container.isEncrypted else {
            throw SigningError(
                .encryptedKey,
                "the private key \(container.publicKey.fingerprint) is encrypted with a passphrase (\(container.cipherName)), "
                    + "and Giter does not ask for passphrases: load it into ssh-agent (`ssh-add KEYFILE`) and sign "
                    + "through the agent (SSH_AUTH_SOCK)")
        }
        var reader = SSHWireReader(container.privateSection, code: .invalidKey, subject: "the OpenSSH private key")
        guard container.privateSection.count % 8 == 0 else { throw reader.failure("its private section is not padded") }
        let check = (try reader.readUInt32(), try reader.readUInt32())
        guard check.0 == check.1 else { throw reader.failure("its two check numbers differ") }
        let type = try reader.readText()
        guard type == container.publicKey.algorithm.rawValue else {
            throw reader.failure("its private key is of type '\(SSHPublicKey.excerpt(type))' but its public key is not")
        }
        let (material, publicBlob) = try Self.readKey(container.publicKey.algorithm, from: &reader)
        guard publicBlob == container.publicKey.blob else {
            throw reader.failure("its private key does not belong to its public key")
        }
        let comment = try reader.readText()
        let padding = try reader.readBytes(count: reader.remaining)
        guard padding.count < 8, padding.enumerated().allSatisfy({ $0.element == UInt8($0.offset + 1) }) else {
            throw reader.failure("its private section is not padded")
        }
        self.publicKey = try SSHPublicKey(blob: publicBlob, comment: comment.isEmpty ? nil : comment)
        self.material = material
    }

    /// Reads one private key of `algorithm`; returns it and the public key blob it implies.
    private static func readKey(
        _ algorithm: SSHPublicKey.Algorithm, from reader: inout SSHWireReader
    ) throws(SigningError) -> (Material, [UInt8]) {
        var blob = SSHWireWriter()
        blob.write(text: algorithm.rawValue)
        switch algorithm {
        case .ed25519:
            let publicBytes = try reader.readString()
            let secret = try reader.readString()
            // The private field is the 32-byte seed, then the public key again.
            guard publicBytes.count == 32, secret.count == 64, Array(secret[32...]) == publicBytes,
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: secret[..<32]),
                Array(key.publicKey.rawRepresentation) == publicBytes
            else { throw reader.failure("its Ed25519 private key does not match its public key") }
            blob.write(string: publicBytes)
            return (.ed25519(key), blob.bytes)
        case .ecdsaP256, .ecdsaP384:
            let curve = try reader.readText()
            let point = try reader.readString()
            let scalar = try reader.readPositiveMPInt()
            let length = algorithm == .ecdsaP256 ? 32 : 48
            guard scalar.count <= length else { throw reader.failure("its ECDSA private key is too long") }
            let raw = [UInt8](repeating: 0, count: length - scalar.count) + scalar
            let material: Material
            let derived: [UInt8]
            do {
                if algorithm == .ecdsaP256 {
                    let key = try P256.Signing.PrivateKey(rawRepresentation: raw)
                    material = .ecdsaP256(key)
                    derived = Array(key.publicKey.x963Representation)
                } else {
                    let key = try P384.Signing.PrivateKey(rawRepresentation: raw)
                    material = .ecdsaP384(key)
                    derived = Array(key.publicKey.x963Representation)
                }
            } catch {
                throw SigningError(.invalidKey, "the OpenSSH private key is malformed: its ECDSA key is refused", underlying: error)
            }
            guard derived == point else { throw reader.failure("its ECDSA private key does not match its public key") }
            blob.write(text: curve)
            blob.write(string: point)
            return (material, blob.bytes)
        case .rsa:
            let n = try reader.readPositiveMPInt()
            let e = try reader.readPositiveMPInt()
            let d = try reader.readPositiveMPInt()
            _ = try reader.readPositiveMPInt()  // iqmp: recomputed from p and q
            let p = try reader.readPositiveMPInt()
            let q = try reader.readPositiveMPInt()
            _ = try SSHPublicKey.rsaKey(modulus: n, exponent: e)  // the size rules
            let key: _RSA.Signing.PrivateKey
            do {
                key = try _RSA.Signing.PrivateKey(n: n, e: e, d: d, p: p, q: q)
            } catch {
                throw SigningError(.invalidKey, "the OpenSSH private key is malformed: its RSA numbers are refused", underlying: error)
            }
            blob.write(positiveMPInt: e)
            blob.write(positiveMPInt: n)
            return (.rsa(key), blob.bytes)
        }
    }

    /// Signs `message` in `namespace` (`git` for commits) with SHA-512, as
    /// `ssh-keygen -Y sign -n NAMESPACE` does. RSA signs with `rsa-sha2-512`.
    public func sign(_ message: [UInt8], namespace: String) throws(SigningError) -> SSHSignature {
        let data = SSHSignature.signedData(for: message, namespace: namespace, hashAlgorithm: "sha512")
        var writer = SSHWireWriter()
        do {
            switch material {
            case .ed25519(let key):
                writer.write(text: "ssh-ed25519")
                writer.write(string: Array(try key.signature(for: data)))
            case .ecdsaP256(let key):
                writer.write(text: SSHPublicKey.Algorithm.ecdsaP256.rawValue)
                let raw = try key.signature(for: SHA256.hash(data: data)).rawRepresentation
                writer.write(string: SSHPublicKey.sshECDSASignature(raw: raw))
            case .ecdsaP384(let key):
                writer.write(text: SSHPublicKey.Algorithm.ecdsaP384.rawValue)
                let raw = try key.signature(for: SHA384.hash(data: data)).rawRepresentation
                writer.write(string: SSHPublicKey.sshECDSASignature(raw: raw))
            case .rsa(let key):
                writer.write(text: "rsa-sha2-512")
                let signature = try key.signature(for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
                writer.write(string: Array(signature.rawRepresentation))
            }
        } catch {
            throw SigningError(.invalidKey, "could not sign with the key \(publicKey.fingerprint)", underlying: error)
        }
        return SSHSignature(publicKey: publicKey, namespace: namespace, hashAlgorithm: "sha512", signature: writer.bytes)
    }
}
