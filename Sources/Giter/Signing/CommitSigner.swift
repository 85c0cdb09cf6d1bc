/// Signs commits: what a store, the `giter` tool and the examples use when
/// a signing key is configured.
///
/// A signer sees the commit object without its signature header, exactly
/// the bytes `git verify-commit` checks, and returns the armored signature
/// that goes into the commit's `gpgsig` header. Giter ships SSH signers (a
/// key file read in process, or `ssh-agent`) and a GPG signer (the `gpg`
/// executable); a host app may bring its own, such as a hardware token.
public protocol CommitSigner: Sendable {
    /// The armored signature of `payload` — `-----BEGIN SSH SIGNATURE-----`
    /// or `-----BEGIN PGP SIGNATURE-----` through the matching end line,
    /// ending with a newline, as `ssh-keygen -Y sign` and `gpg -bsa` print it.
    func signature(for payload: [UInt8]) async throws -> String
}
