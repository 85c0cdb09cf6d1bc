/// The kind of armored signature a commit carries in its `gpgsig` header,
/// told by the armor's first line (what `git verify-commit` looks at to
/// pick the program that checks it).
public enum SignatureFormat: String, Sendable, Hashable, CaseIterable {
    /// `-----BEGIN SSH SIGNATURE-----`: an `sshsig` signature
    /// (`gpg.format=ssh`).
    case ssh
    /// `-----BEGIN PGP SIGNATURE-----` (or `-----BEGIN PGP MESSAGE-----`):
    /// an OpenPGP signature (`gpg.format=openpgp`, git's default).
    case openPGP
    /// `-----BEGIN SIGNED MESSAGE-----`: an X.509 (S/MIME) signature
    /// (`gpg.format=x509`, `gpgsm`).
    case x509

    /// The format whose armor `signature` starts with; `nil` for any other
    /// text. Only the first line counts, and it must be exactly an armor
    /// line (no leading or trailing spaces), as git compares it.
    init?(armored signature: String) {
        let firstLine = signature.utf8.prefix { $0 != UInt8(ascii: "\n") }
        switch String(decoding: firstLine, as: UTF8.self) {
        case "-----BEGIN SSH SIGNATURE-----": self = .ssh
        case "-----BEGIN PGP SIGNATURE-----", "-----BEGIN PGP MESSAGE-----": self = .openPGP
        case "-----BEGIN SIGNED MESSAGE-----": self = .x509
        default: return nil
        }
    }
}
