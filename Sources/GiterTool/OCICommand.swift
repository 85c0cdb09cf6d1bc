import ArgumentParser
import Giter
import GiterOCI
import UnixSignals

/// `giter oci push|follow`: the exchange's state published to an OCI
/// registry, and followed from there by a party that cannot reach Git.
struct OCICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Publish the exchange to an OCI registry, or follow it from one.",
        discussion: """
            'giter oci push REF' publishes the state at the tip of the \
            exchange branch as an OCI artifact (the contract, one layer per \
            kind and a Git bundle of the commit), signed with --signing-key \
            (an SSH key of a producer or admin in the policy). 'giter oci \
            follow REF' reads the tag, checks the signature against the \
            policy at this site's tip (before reading the bundle), the \
            bundle against its digest, every new commit by the contract, \
            the signer against the policy at the published commit and the \
            layers rebuilt from it (the config and the registry's copies \
            of the layers are not read), and only then moves the exchange branch of \
            --remote (the follower's own repository) to the published \
            commit. Answer with 'giter bundle export --for SITE' or through \
            Git. REF is host[:port]/repository[:tag] (tag default: latest). \
            A registry that requires a login takes GITER_REGISTRY_USERNAME \
            and GITER_REGISTRY_PASSWORD, for basic authentication or for \
            the token service of a registry that hands out tokens (Docker \
            Hub, GHCR, Harbor, GitLab); sent only over HTTPS or to \
            loopback. See Documentation/OCI.md.

            Exit status: 0 on success (or nothing new); 1 when the \
            publication cannot be written or is refused (unsigned, a bad or \
            untrusted signature, a changed bundle, a layer that does not \
            match the commit, a commit the \
            contract refuses, the registry unreachable); 64 for a usage error.

            Examples:
              giter oci push --remote /srv/git/lab.git --site lab --signing-key ~/.ssh/id_ed25519 registry.example/lab/exchange
              giter oci follow --remote /srv/field/exchange.git registry.example/lab/exchange
            """,
        subcommands: [OCIPushCommand.self, OCIFollowCommand.self]
    )
}

/// Options both subcommands share: where the artifact is.
struct RegistryOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The artifact: host[:port]/repository[:tag].", valueName: "reference"))
    var reference: String

    @Flag(name: .long, help: "Talk to the registry over plain HTTP (a registry on loopback or in a test).")
    var plainHTTP = false

    /// Separate from `--network-timeout`, which bounds one conversation
    /// with the Git server of `--remote`: this bounds one HTTP request to
    /// the registry or its token service, and a bundle layer of up to
    /// 512 MiB travels in one request (Documentation/OCI.md).
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The time limit of one request to the registry or its token service (e.g. 90, 90s, 10m).",
            valueName: "duration"))
    var registryTimeout = DurationArgument(.seconds(300), text: "300s")

    /// `GITER_REGISTRY_USERNAME` and `GITER_REGISTRY_PASSWORD`, both or neither
    /// (never options: a password would show in the process list): basic
    /// authentication, or the login a token service is asked with.
    func login() throws -> OCIRegistry.Login? {
        let username = Environment.value("GITER_REGISTRY_USERNAME")
        let password = Environment.value("GITER_REGISTRY_PASSWORD")
        switch (username, password) {
        case (nil, nil): return nil
        case (let username?, let password?): return OCIRegistry.Login(username: username, password: password)
        default: throw ToolError.usage("give both GITER_REGISTRY_USERNAME and GITER_REGISTRY_PASSWORD, or neither")
        }
    }

    func mirror(transport: any Transport) throws -> OCIMirror {
        let parsed: OCIReference
        do {
            parsed = try OCIReference(parsing: reference)
        } catch {
            throw ToolError.usage(error.message)
        }
        guard registryTimeout.duration > .zero else {
            throw ToolError.usage("--registry-timeout must be longer than 0")
        }
        let registry = OCIRegistry(parsed, plainHTTP: plainHTTP, timeout: registryTimeout.duration, login: try login())
        return OCIMirror(transport: transport, registry: registry, reference: parsed)
    }
}

/// `giter oci push REF --site NAME --signing-key KEY`.
struct OCIPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Publish the state at the tip of the exchange branch to a registry.",
        discussion: """
            Tags the artifact with the commit id and with REF's tag, and \
            stores the signature (sshsig over the manifest's digest, \
            namespace giter-oci) under the tag sha256-<hex>.sig. --site names \
            the publishing site: followers record what they import under it \
            (refs/giter/acks/SITE) and answer it with 'giter bundle export \
            --for SITE'. Prints 'published COMMIT to REF (DIGEST): N kind(s), \
            signed by FINGERPRINT'.
            """
    )

    @OptionGroup var exchange: ExchangeOptions
    @OptionGroup var registry: RegistryOptions

    @Option(name: .long, help: ArgumentHelp("The publishing site's name.", valueName: "name"))
    var site: String

    func run() async throws {
        try await ErrorReporting.run {
            let opened = try await Exchange.open(exchange)
            guard let signer = try exchange.signer(namespace: OCIMirror.signatureNamespace) else {
                throw ToolError.usage("a publication is signed: give --signing-key (or GITER_SIGNING_KEY)")
            }
            let mirror = try registry.mirror(transport: opened.transport)
            let published = try await mirror.publish(site: site, signer: signer)
            StandardOutput.write(
                "published \(published.commit.short) to \(registry.reference) (\(published.manifest.digest)): "
                    + "\(published.kinds.count) kind(s), signed by \(published.signer)\n")
        }
    }
}

/// `giter oci follow REF`.
struct OCIFollowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Check the publication at a registry tag and bring its commit in.",
        discussion: """
            --remote is this site's own repository (an empty bare repository \
            the first time: the exchange is created there). Nothing changes \
            unless the signature, the signer (by this site's tip, then by \
            the published commit), the bundle, every new commit and the \
            layers hold. With --watch, polls the tag every --interval seconds until \
            SIGTERM or SIGINT (then exits 0), reporting a refused \
            publication on standard error and going on. \
            Prints 'imported N commit(s) from SITE: OLD..NEW, signed by \
            MEMBER' or 'up to date at COMMIT'.
            """
    )

    @OptionGroup var exchange: ExchangeOptions
    @OptionGroup var registry: RegistryOptions

    @Flag(name: .long, help: "Keep polling the tag.")
    var watch = false

    @Option(name: .long, help: ArgumentHelp("Seconds between polls with --watch.", valueName: "seconds"))
    var interval: Int = 30

    func run() async throws {
        try await ErrorReporting.run {
            guard interval > 0 else { throw ToolError.usage("--interval must be a positive number of seconds") }
            let opened = try await Exchange.open(exchange)
            let mirror = try registry.mirror(transport: opened.transport)
            guard watch else {
                _ = try await followOnce(mirror, opened: opened, reported: nil)
                return
            }
            // SIGTERM or SIGINT ends the polling: a follow under way is
            // cancelled before its branch moves, or its compare-and-swap
            // has moved it already; either way nothing is half done.
            let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals { return }
                }
                group.addTask {
                    var reported: ObjectID?
                    while true {
                        do {
                            reported = try await followOnce(mirror, opened: opened, reported: reported)
                        } catch {
                            // Stopping: whatever the follow under way threw is not news.
                            if Task.isCancelled { return }
                            let (message, _) = ErrorReporting.describe(error)
                            StandardError.write("error: \(ErrorReporting.oneLine(message))\n")
                        }
                        try await Task.sleep(for: .seconds(interval))
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    /// Follows once and prints what happened; "up to date" only when the
    /// commit is not `reported` (so --watch says it once). Returns the
    /// commit this site is at.
    private func followOnce(_ mirror: OCIMirror, opened: Exchange, reported: ObjectID?) async throws -> ObjectID {
        switch try await mirror.follow(signer: opened.signer) {
        case .upToDate(let commit):
            if commit != reported { StandardOutput.write("up to date at \(commit.short)\n") }
            return commit
        case .imported(let followed):
            let result = followed.result
            let range = "\(result.old?.short ?? "(new exchange)")..\(result.new.short)"
            StandardOutput.write(
                "imported \(result.commits) commit(s) from \(result.sender): \(range), signed by \(followed.signer)\n")
            if result.old == nil, LocalPath.isLocal(opened.url) {
                _ = try BareRepository.pointHEADIfUnborn(at: LocalPath.stripFileScheme(opened.url), to: opened.branch)
            }
            if let rebase = result.rebase {
                StandardOutput.write(
                    "rebased \(rebase.rewritten.count) commit(s) of this site on top of them (\(result.sender) has not "
                        + "received those yet: export for it)\n")
                for line in rebase.dropped { StandardOutput.write("dropped \(line)\n") }
            }
            return result.new
        }
    }
}
