import Crypto
import _CryptoExtras

extension SSHPublicKey {
    /// The signature algorithms accepted for each key type, with the hash
    /// each signs. RSA accepts `rsa-sha2-512` and `rsa-sha2-256`, never the
    /// SHA-1 `ssh-rsa` signatures.
    static func acceptsSignatureAlgorithm(_ name: String, for algorithm: Algorithm) -> Bool {
        switch algorithm {
        case .ed25519, .ecdsaP256, .ecdsaP384: name == algorithm.rawValue
        case .rsa: name == "rsa-sha2-512" || name == "rsa-sha2-256"
        }
    }

    /// Whether `signature` (an SSH signature blob: string algorithm ‖
    /// string bytes) signs `data` with this key.
    ///
    /// `false` for a malformed blob, a signature algorithm that does not
    /// belong to the key's type, and an RSA signature with SHA-1 (`ssh-rsa`).
    public func isValidSignature(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        var reader = SSHWireReader(signature, code: .invalidSignature, subject: "the SSH signature")
        guard let name = try? reader.readText(), let bytes = try? reader.readString(), reader.isAtEnd,
            Self.acceptsSignatureAlgorithm(name, for: algorithm)
        else { return false }
        switch material {
        case .ed25519(let key):
            return bytes.count == 64 && key.isValidSignature(bytes, for: data)
        case .ecdsaP256(let key):
            guard let raw = Self.rawECDSASignature(bytes, scalarLength: 32),
                let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
            else { return false }
            return key.isValidSignature(parsed, for: SHA256.hash(data: data))
        case .ecdsaP384(let key):
            guard let raw = Self.rawECDSASignature(bytes, scalarLength: 48),
                let parsed = try? P384.Signing.ECDSASignature(rawRepresentation: raw)
            else { return false }
            return key.isValidSignature(parsed, for: SHA384.hash(data: data))
        case .rsa(let key):
            // OpenSSH accepts a signature shorter than the modulus (its
            // leading zero bytes dropped) and pads it back; so do we.
            let length = (key.keySizeInBits + 7) / 8
            guard bytes.count <= length else { return false }
            let padded = _RSA.Signing.RSASignature(rawRepresentation: [UInt8](repeating: 0, count: length - bytes.count) + bytes)
            return name == "rsa-sha2-512"
                ? key.isValidSignature(padded, for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
                : key.isValidSignature(padded, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        }
    }

    /// r ‖ s, each `scalarLength` bytes, from SSH's `mpint r ‖ mpint s`; nil when malformed.
    static func rawECDSASignature(_ bytes: [UInt8], scalarLength: Int) -> [UInt8]? {
        var reader = SSHWireReader(bytes, code: .invalidSignature, subject: "the ECDSA signature")
        guard let r = try? reader.readPositiveMPInt(), let s = try? reader.readPositiveMPInt(), reader.isAtEnd,
            !r.isEmpty, !s.isEmpty, r.count <= scalarLength, s.count <= scalarLength
        else { return nil }
        let zeros = { (count: Int) in [UInt8](repeating: 0, count: count) }
        return zeros(scalarLength - r.count) + r + zeros(scalarLength - s.count) + s
    }

    /// SSH's `mpint r ‖ mpint s` from r ‖ s (two halves of equal length).
    static func sshECDSASignature(raw: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(raw)
        var writer = SSHWireWriter()
        writer.write(positiveMPInt: bytes[..<(bytes.count / 2)])
        writer.write(positiveMPInt: bytes[(bytes.count / 2)...])
        return writer.bytes
    }
}
