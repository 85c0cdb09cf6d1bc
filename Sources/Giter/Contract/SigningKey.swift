/// A public key a member signs commits with, as `.giter/policy.yaml` lists
/// it under `signingKeys`.
///
/// ```yaml
/// members:
/// - email: alice@lab.example
///   signingKeys:
///   - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… alice@laptop
///   - |
///     -----BEGIN PGP PUBLIC KEY BLOCK-----
///     …
///     -----END PGP PUBLIC KEY BLOCK-----
/// ```
///
/// A key is valid while the policy in force lists it: dates inside keys
/// (an OpenPGP key's expiry) are not used. See `Documentation/Signing.md`.
public enum SigningKey: Sendable, Hashable, CustomStringConvertible {
    /// An OpenSSH public key line, verified in process.
    case ssh(SSHPublicKey)
    /// An ASCII-armored OpenPGP public key block, verified with `gpg`
    /// against a keyring that holds only the policy's keys.
    case openPGP(OpenPGPPublicKey)

    static let openPGPHeader = "-----BEGIN PGP PUBLIC KEY BLOCK-----"

    /// Reads a policy entry: an OpenSSH public key line
    /// (`ssh-ed25519 AAAA… comment`), or an armored OpenPGP public key block.
    public init(text: String) throws(SigningError) {
        let trimmed = text.trimmingASCIIWhitespace
        if trimmed.hasPrefix(Self.openPGPHeader) {
            self = .openPGP(try OpenPGPPublicKey(armored: trimmed + "\n"))
        } else {
            self = .ssh(try SSHPublicKey(line: trimmed))
        }
    }

    /// The entry as the policy writes it.
    public var text: String {
        switch self {
        case .ssh(let key): key.description
        case .openPGP(let key): key.armored
        }
    }

    /// The SSH key's fingerprint (`SHA256:…`), or "an OpenPGP key".
    public var description: String {
        switch self {
        case .ssh(let key): "\(key.algorithm.rawValue) \(key.fingerprint)"
        case .openPGP: "an OpenPGP key"
        }
    }
}

extension String {
    var trimmingASCIIWhitespace: String {
        let bytes = Array(utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
