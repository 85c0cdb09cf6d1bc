import Subprocess

/// Verifies OpenPGP signatures against only the keys it is given: a
/// throwaway keyring (a private temporary GNUPGHOME) holding just them.
/// Dates inside keys (expiry) are not used: a good signature by an expired
/// key counts (EXPKEYSIG); a revoked key (REVKEYSIG), a bad signature
/// (BADSIG), an unknown key (ERRSIG/NO_PUBKEY) do not.
///
/// The verdict depends on the keys and the signature alone: gpg runs with
/// no options file, never the user's keyring, no network (no key servers,
/// no `dirmngr`), and starts no `gpg-agent`. A signature counts only when
/// it is a single detached binary signature (class `00`, what `gpg -bsa`
/// and `git commit -S` make) with a SHA-2 or SHA-3 digest.
///
/// One keyring is kept per distinct key set, for the last four sets used,
/// so checking many commits imports the keys once. Keyrings are folders
/// under `/tmp`, removed when evicted (after the verifications using them
/// end) and when the verifier is released.
public actor GPGVerifier {
    /// The most key sets whose keyrings are kept.
    static let cachedKeySets = 4

    private let gpg: GPGProgram
    /// Keyrings, least recently used first.
    private var keyrings: [(keys: Set<OpenPGPPublicKey>, home: Task<GPGFolder, any Error>)] = []
    private var nextFile = 0
    /// How many keyrings were made (keys imported), for tests.
    private(set) var imports = 0

    public init(program: String = "gpg") {
        self.gpg = GPGProgram(program: program)
    }

    init(gpg: GPGProgram) {
        self.gpg = gpg
    }

    /// `nil` when the signature is not a good one by one of `keys`. Throws
    /// `.gpg` only when gpg cannot be run at all (not found, not starting,
    /// not finishing within its time limit), or `.io` when its files cannot
    /// be written in `/tmp`: the check could not be made, and the caller
    /// fails closed.
    public func verify(
        signature: String,
        payload: [UInt8],
        keys: [OpenPGPPublicKey]
    ) async throws(SigningError) -> OpenPGPVerification? {
        guard !keys.isEmpty, signature.contains("-----BEGIN PGP SIGNATURE-----") else { return nil }
        let home = try await keyring(for: Set(keys))
        nextFile += 1
        let signatureName = "signature-\(nextFile).asc"
        let payloadName = "payload-\(nextFile)"
        defer {
            home.remove(signatureName)
            home.remove(payloadName)
        }
        let signatureFile = try home.write(Array(signature.utf8), to: signatureName)
        let payloadFile = try home.write(payload, to: payloadName)
        let outcome = try await gpg.run(
            Self.confined(home: home.path) + ["--status-fd=1", "--verify", signatureFile, payloadFile],
            environment: Self.environment
        )
        guard outcome.succeeded else { return nil }
        return OpenPGPVerification(status: outcome.output)
    }

    /// The primary key fingerprints in `key` (to map a verification to the policy entry).
    ///
    /// Throws `.invalidKey` when gpg finds no public key in the block, `.gpg`
    /// when gpg cannot be run.
    public func fingerprints(of key: OpenPGPPublicKey) async throws(SigningError) -> [String] {
        let scratch = try GPGFolder()
        let file = try scratch.write(Array(key.armored.utf8), to: "key.asc")
        let outcome = try await gpg.run(
            Self.confined(home: scratch.path) + ["--with-colons", "--import-options", "show-only", "--import", file],
            environment: Self.environment
        )
        let found = Self.primaryFingerprints(inColons: outcome.output)
        guard outcome.succeeded, !found.isEmpty else {
            throw SigningError(
                .invalidKey,
                "gpg finds no usable OpenPGP public key in the block (\(outcome.ending): \(outcome.diagnostic)): "
                    + "export the key again with gpg --armor --export KEYID"
            )
        }
        return found
    }

    /// The folders of the keyrings kept, least recently used first (for tests).
    func homes() async -> [String] {
        var paths: [String] = []
        for entry in keyrings {
            if let home = try? await entry.home.value { paths.append(home.path) }
        }
        return paths
    }

    /// The keyring holding exactly `keys`, made (keys imported) on first use.
    private func keyring(for keys: Set<OpenPGPPublicKey>) async throws(SigningError) -> GPGFolder {
        let task: Task<GPGFolder, any Error>
        if let index = keyrings.firstIndex(where: { $0.keys == keys }) {
            let entry = keyrings.remove(at: index)
            keyrings.append(entry)
            task = entry.home
        } else {
            imports += 1
            let gpg = self.gpg
            task = Task { try await Self.makeKeyring(holding: keys, gpg: gpg) }
            keyrings.append((keys, task))
            if keyrings.count > Self.cachedKeySets { keyrings.removeFirst() }
        }
        do {
            return try await task.value
        } catch {
            // Not kept: the next verification tries again.
            keyrings.removeAll { $0.home == task }
            if let error = error as? SigningError { throw error }
            throw SigningError(.gpg, "could not make a keyring for gpg: \(error)", underlying: error)
        }
    }

    private static func makeKeyring(
        holding keys: Set<OpenPGPPublicKey>,
        gpg: GPGProgram
    ) async throws(SigningError) -> GPGFolder {
        let home = try GPGFolder()
        // Sorted, so that one set always makes the same keyring.
        let text = keys.map(\.armored).sorted().joined(separator: "\n")
        let file = try home.write(Array(text.utf8), to: "keys.asc")
        // A key gpg cannot import makes no error here: its signatures never verify.
        _ = try await gpg.run(
            confined(home: home.path) + ["--status-fd=1", "--import", file],
            environment: environment
        )
        home.remove("keys.asc")
        return home
    }

    /// The options that keep a run to the keyring in `home` and off the network.
    static func confined(home: String) -> [String] {
        [
            "--homedir", home, "--no-options", "--batch", "--no-tty",
            // Neither gpg-agent nor dirmngr (so no key server, no network).
            "--no-autostart", "--disable-dirmngr", "--no-auto-key-retrieve", "--auto-key-locate", "local",
            // Trust is the policy's business; dates inside keys are not used.
            "--trust-model", "always", "--ignore-time-conflict", "--ignore-valid-from",
        ]
    }

    /// The caller's environment without `GNUPGHOME`, in the C locale.
    static let environment = Environment.inherit.updating(["GNUPGHOME": nil, "LC_ALL": "C", "LANGUAGE": "C"])

    /// The fingerprint that follows each `pub` record in `--with-colons` output.
    static func primaryFingerprints(inColons text: String) -> [String] {
        var found: [String] = []
        var afterPrimary = false
        for line in text.split(separator: "\n") {  // only LF: a user ID may hold U+2028 and the like
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            switch fields.first {
            case "pub":
                afterPrimary = true
            case "fpr" where afterPrimary:
                afterPrimary = false
                if fields.count > 9, OpenPGPVerification.isFingerprint(String(fields[9])) {
                    found.append(String(fields[9]))
                }
            case "sub", "ssb", "sec":
                afterPrimary = false
            default:
                break
            }
        }
        return found
    }
}
