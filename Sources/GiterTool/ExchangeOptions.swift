import ArgumentParser
import Foundation
import Giter
import GiterOptions

/// The options every exchange command takes: which repository, branch and
/// backend, who writes, which namespace, and where the local mirror lives.
struct ExchangeOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The exchange repository: a local path, file://, git://, http(s):// or ssh:// URL "
                + "(default: $GITER_REMOTE).",
            valueName: "url"
        )
    )
    var remote: String?

    @Option(name: .long, help: ArgumentHelp("The branch resources are exchanged on.", valueName: "branch"))
    var branch: String = "main"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Work on the exchange group's own branch, giter/x/<group>, started from --branch with 'giter branch start' "
                + "(see Documentation/ExchangeBranches.md).",
            valueName: "group"))
    var group: String?

    @Option(name: .long, help: ArgumentHelp("The Git backend: libgit2 or git.", valueName: "backend"))
    var backend: Backend = .libgit2

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Who writes, as \"Name <email>\" (default: $GITER_IDENTITY, else giter <user@host>).",
            valueName: "identity"
        )
    )
    var identity: String?

    @Option(
        name: [.customShort("n"), .long],
        help: ArgumentHelp("The namespace (default: default).", valueName: "namespace")
    )
    var namespace: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The folder of the local mirror (default: $GITER_CACHE, "
                + "else $XDG_CACHE_HOME/giter/<name>-<hash of url and branch>).",
            valueName: "dir"
        )
    )
    var cache: String?

    /// How the remote is reached: SSH key or agent, known hosts, HTTPS
    /// credentials, proxy and CA (shared with the examples).
    @OptionGroup(title: "Credentials")
    var credentialOptions: CredentialOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Sign every commit with this SSH key: a private key file, or a public key (.pub) or passphrase-protected key "
                + "whose private half ssh-agent holds, through $SSH_AUTH_SOCK (default: $GITER_SIGNING_KEY).",
            valueName: "file"
        )
    )
    var signingKey: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Sign every commit with this GPG key (an id or fingerprint), through gpg.", valueName: "id")
    )
    var gpgKey: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The GnuPG home folder --gpg-key is in (default: gpg's own, $GNUPGHOME).", valueName: "dir")
    )
    var gpgHome: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The longest one listing, fetch or push may take before it is ended (default: 120s; e.g. 30s, 10m).",
            valueName: "duration"
        )
    )
    var networkTimeout = DurationArgument(RemoteConfiguration.defaultNetworkTimeLimit, text: "120s")

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Open x-giter-encrypted fields with this private key file (giter key generate makes one); repeat it "
                + "for keys from before a rotation (default: $GITER_DECRYPTION_KEY). A producer with a key keeps "
                + "the ciphertext of values it applies unchanged.",
            valueName: "file"
        )
    )
    var decryptionKey: [String] = []

    @Flag(name: [.customShort("v"), .long], help: "Log what the store and the backend do on standard error.")
    var verbose = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "A partial mirror (git backend, a server remote): fetch commits and trees, then only the files this command "
                + "reads, in one request; with -n, read and check only that namespace. The server must allow filters "
                + "(uploadpack.allowFilter). libgit2 fetches everything. See Documentation/PartialFetch.md."))
    var partial = false

    // The consumer side: which role the command writes in.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write as producer or consumer (default: the identity's role under the exchange's policy, "
                + "else consumer for 'status set' and 'reconcile', producer for the others).",
            valueName: "role"
        )
    )
    var role: RoleArgument?

    /// The namespace commands work in.
    var effectiveNamespace: String { namespace ?? ObjectMeta.defaultNamespace }

    /// The branch the command reads and writes: `--group`'s exchange
    /// branch when given, else `--branch`.
    ///
    /// - Throws: ``ToolError`` when `--group` names no valid group.
    func exchangeBranch() throws -> String {
        guard let group else { return branch }
        return try exchangeGroup(group).branch
    }

    /// The group `name`, or a usage error that says why not.
    func exchangeGroup(_ name: String) throws -> ExchangeGroup {
        do {
            return try ExchangeGroup(name)
        } catch {
            throw ToolError.usage(error.message)
        }
    }

    /// The remote URL as given, or from `GITER_REMOTE`; a local path is made absolute.
    ///
    /// - Throws: a usage ``ToolError`` when there is none.
    func remoteURL() throws -> String {
        guard let given = remote ?? Environment.value("GITER_REMOTE"), !given.isEmpty else {
            throw ToolError.usage("no exchange repository given: pass --remote URL or set GITER_REMOTE")
        }
        return LocalPath.isLocal(given) ? LocalPath.absolute(LocalPath.stripFileScheme(given)) : given
    }

    /// The identity commits are written as, in `role`.
    func writerIdentity(role: ExchangeRole = .producer) throws -> ExchangeIdentity {
        let text = identity ?? Environment.value("GITER_IDENTITY")
        guard let text else {
            return ExchangeIdentity(
                name: "giter",
                email: "\(Environment.userName)@\(Environment.hostName)",
                role: role
            )
        }
        guard let parsed = ExchangeIdentity(parsing: text, role: role) else {
            throw ToolError.usage(
                "identity '\(text)' is not of the form \"Name <email>\"; "
                    + "for example --identity \"Ada <ada@example.com>\""
            )
        }
        return parsed
    }

    /// The mirror folder for `url`.
    func mirrorPath(for url: String) -> String {
        if let cache = cache ?? Environment.value("GITER_CACHE"), !cache.isEmpty { return LocalPath.absolute(cache) }
        let base: String
        if let xdg = Environment.value("XDG_CACHE_HOME"), xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (Environment.value("HOME") ?? "/tmp") + "/.cache"
        }
        // A partial mirror lacks blobs a full one would read: the two never share a folder.
        return "\(base)/giter/\(Self.mirrorName(url: url, branch: branch, backend: backend))\(partial ? "-partial" : "")"
    }

    /// The mirror folder for a repository `giter describe` follows upstream:
    /// `<--cache>.upstream/<name>` when `--cache` (or `GITER_CACHE`) names
    /// this exchange's mirror, else the default folder for `url` and `branch`.
    func upstreamMirrorPath(for url: String, branch: String) -> String {
        let name = Self.mirrorName(url: url, branch: branch, backend: backend)
        if let cache = cache ?? Environment.value("GITER_CACHE"), !cache.isEmpty {
            return LocalPath.absolute(cache) + ".upstream/" + name
        }
        let base: String
        if let xdg = Environment.value("XDG_CACHE_HOME"), xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (Environment.value("HOME") ?? "/tmp") + "/.cache"
        }
        return "\(base)/giter/\(name)"
    }

    /// `<last part of the url>-<16 hex digits>`: readable, and distinct per
    /// url, branch and backend (the two backends keep their own mirrors).
    static func mirrorName(url: String, branch: String, backend: Backend) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(backend.rawValue)\n\(url)\n\(branch)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let digits = String(repeating: "0", count: 16 - hex.count) + hex
        let last = url.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? "exchange"
        let name = String(
            last.unicodeScalars.filter {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_")
            }
        )
        return "\(name.isEmpty ? "exchange" : String(name.prefix(40)))-\(digits)"
    }

    /// What signs the commits of this command: `--signing-key` (or
    /// `GITER_SIGNING_KEY`), `--gpg-key`, or nothing.
    ///
    /// - Throws: a usage ``ToolError`` for both kinds at once, a ``ToolError``
    ///   for a key file that cannot be used.
    ///
    /// `namespace`: the SSH signature's namespace (`git` for commits,
    /// `giter-oci` for `giter oci push`).
    func signer(namespace: String = "git") throws -> (any CommitSigner)? {
        let sshKey = signingKey ?? Environment.value("GITER_SIGNING_KEY")
        if let gpgKey {
            guard signingKey == nil else { throw ToolError.usage("give --signing-key or --gpg-key, not both") }
            return GPGSigner(keyID: gpgKey, home: gpgHome.map(LocalPath.absolute))
        }
        if gpgHome != nil { throw ToolError.usage("--gpg-home is the GnuPG home of --gpg-key: give --gpg-key too") }
        guard let sshKey else { return nil }
        do {
            return try SSHSigning.signer(
                keyFile: LocalPath.absolute(sshKey), environment: ProcessInfo.processInfo.environment, namespace: namespace)
        } catch {
            throw ToolError("cannot sign with \(sshKey): \(error.message)")
        }
    }

    /// The keyring of `--decryption-key` (or `GITER_DECRYPTION_KEY`); `nil` when none is given.
    ///
    /// - Throws: a ``ToolError`` for a key file that cannot be read.
    func fieldKeys() throws -> FieldKeyring? {
        var files = decryptionKey
        if files.isEmpty, let file = Environment.value("GITER_DECRYPTION_KEY"), !file.isEmpty { files = [file] }
        guard !files.isEmpty else { return nil }
        do throws(EncryptionError) {
            return try FieldKeyring(keyFiles: files.map(LocalPath.absolute))
        } catch {
            throw ToolError("cannot use the decryption key: \(error.message)")
        }
    }

    /// Credentials from the options and the environment (``CredentialOptions``).
    ///
    /// - Throws: a usage ``ToolError`` naming the option or variable at fault.
    func credentials() throws -> Credentials {
        do {
            return try credentialOptions.credentials(environment: ProcessInfo.processInfo.environment)
        } catch let error as ArgumentParser.ValidationError {
            throw ToolError.usage(error.message)
        }
    }
}

/// `--role`: a role as typed.
enum RoleArgument: String, CaseIterable, ExpressibleByArgument {
    case producer
    case consumer

    var role: ExchangeRole {
        switch self {
        case .producer: .producer
        case .consumer: .consumer
        }
    }
}
