import Subprocess

/// Signs with `gpg --status-fd=2 -bsau KEY` (what git runs), in `home` (GNUPGHOME) when given.
///
/// gpg runs in batch mode without a terminal, in the caller's environment
/// (so it finds the same `gpg-agent` as git would); with `home`, on the
/// keyring in that folder (`--gpg-home DIR`), else on the default one
/// (`GNUPGHOME`, or `~/.gnupg`). A key protected by a passphrase signs only
/// when `gpg-agent` has it already unlocked: nothing can ask for it here.
public struct GPGSigner: CommitSigner {
    /// The key gpg signs with: a fingerprint, key ID or user ID, as `gpg -u` takes it.
    public let keyID: String
    /// The GnuPG home holding the secret key, or `nil` for gpg's default.
    public let home: String?
    private let gpg: GPGProgram

    public init(keyID: String, home: String? = nil, program: String = "gpg") {
        self.keyID = keyID
        self.home = home
        self.gpg = GPGProgram(program: program)
    }

    /// The armored detached signature of `payload`, ending with a newline.
    ///
    /// Throws `SigningError` with code `.gpg` when gpg does not sign: the
    /// message says why (no such secret key, a passphrase it cannot ask
    /// for, no agent) and what to do, and keeps gpg's own words.
    public func signature(for payload: [UInt8]) async throws -> String {
        try await sign(payload)
    }

    private func sign(_ payload: [UInt8]) async throws(SigningError) -> String {
        guard !keyID.isEmpty, !keyID.hasPrefix("-"), !keyID.contains(where: \.isNewline) else {
            throw SigningError(
                .gpg,
                "'\(keyID)' is not a GPG key ID: give a fingerprint, key ID or e-mail address (--gpg-key)"
            )
        }
        // The payload goes through a file (see GPGProgram): same signature as on standard input.
        let scratch = try GPGFolder()
        let file = try scratch.write(payload, to: "payload")
        let arguments =
            (home.map { ["--homedir", $0] } ?? [])
            + ["--batch", "--no-tty", "--status-fd=2", "-bsau", keyID, "--output", "-", file]
        let outcome = try await gpg.run(arguments, environment: .inherit)
        guard outcome.succeeded, outcome.reported("SIG_CREATED"),
            outcome.output.hasPrefix("-----BEGIN PGP SIGNATURE-----")
        else {
            throw SigningError(.gpg, failureMessage(outcome))
        }
        var armored = outcome.output
        if !armored.hasSuffix("\n") { armored += "\n" }
        return armored
    }

    /// What went wrong, and what to do, from gpg's status lines and messages.
    private func failureMessage(_ outcome: GPGProgram.Outcome) -> String {
        let said = "\(outcome.ending): \(outcome.diagnostic)"
        let keyring = home.map { "the GnuPG home \($0)" } ?? "the default GnuPG home (GNUPGHOME or ~/.gnupg)"
        let lowered = outcome.errorOutput.lowercased()
        if outcome.reported("INV_SGNR") || outcome.reported("NO_SGNR") || lowered.contains("no secret key") {
            return "gpg has no usable secret key '\(keyID)' in \(keyring) (\(said)): check the key with "
                + "gpg --list-secret-keys \(keyID), or give the home that holds it (--gpg-home)"
        }
        if outcome.reported("PINENTRY_LAUNCHED") || outcome.reported("KEY_NOT_CREATED")
            || lowered.contains("passphrase") || lowered.contains("pinentry")
            || lowered.contains("inappropriate ioctl")
        {
            return "the GPG key '\(keyID)' needs its passphrase, which gpg cannot ask for here (batch mode, "
                + "no terminal) (\(said)): unlock it in gpg-agent first (sign once in a terminal, or use "
                + "gpg-preset-passphrase), or sign with a key that has no passphrase"
        }
        if lowered.contains("agent") {
            return "gpg could not use gpg-agent for \(keyring) (\(said)): start it with gpgconf --launch "
                + "gpg-agent, and check that the home is yours and writable"
        }
        if outcome.succeeded {
            return "gpg did not report a signature for key '\(keyID)' (no SIG_CREATED; \(said))"
        }
        return "gpg could not sign with key '\(keyID)' in \(keyring) (\(said))"
    }
}
