public import ArgumentParser
import Foundation
public import Giter
public import GiterOptions
public import Logging

/// The options both example executables take: where the exchange is, how
/// to reach it, who writes, and how often to look.
///
/// ```
/// --remote URL            the exchange repository (or GITER_REMOTE)
/// --branch main           the branch
/// --backend libgit2|git   the Git backend
/// --identity "Name <email>"
/// --poll-interval 1       seconds between checks of the remote (30 with webhooks)
/// --cache DIR             where the local mirror lives
/// --signing-key FILE      sign every commit (or GITER_SIGNING_KEY)
/// --ssh-key, --known-hosts, --ssh-agent, --git-config, --proxy, --ca-file,
/// GITER_USERNAME / GITER_PASSWORD / GITER_TOKEN: the credentials, as `giter` reads them
/// ```
public struct ExchangeOptions: ParsableArguments, Sendable {
    /// The exchange repository: a path, `file://`, `git://`, `https://` or `ssh://` URL.
    @Option(name: .long, help: "The exchange repository URL or path (default: $GITER_REMOTE).")
    public var remote: String?

    /// The branch resources live on.
    @Option(name: .long, help: "The branch of the exchange.")
    public var branch = "main"

    /// The Git backend.
    @Option(name: .long, help: "The Git backend: libgit2 or git.")
    public var backend: Backend = .libgit2

    /// Who writes, `Name <email>`; `nil` for the executable's default.
    @Option(name: .long, help: "Who writes, as \"Name <email>\".")
    public var identity: String?

    /// Seconds between checks of the remote; nil for the default (``pollDuration(webhooks:)``).
    @Option(name: .long, help: "Seconds between checks of the remote (default: 1, or 30 with --webhook-listen).")
    public var pollInterval: Double?

    /// Whether a remote on this machine is watched for moves of its branch (the library's default).
    @Flag(
        name: .customLong("watch-local-remote"), inversion: .prefixedNo,
        help: "Watch a remote on this machine for moves of its branch (default); --no-watch-local-remote polls only.")
    public var watchesLocalRemote = true

    /// Where the local mirror lives.
    @Option(name: .long, help: "Folder for the local mirror (default: ~/.cache/giter-examples).")
    public var cache: String?

    /// The namespace experiments live in.
    @Option(name: [.short, .long], help: "The namespace of the experiments.")
    public var namespace = ObjectMeta.defaultNamespace

    /// E-mail addresses allowed to write specs in an open exchange; with none, commits' role trailers are
    /// believed. When the repository holds a policy (`.giter/policy.yaml`), the policy decides instead.
    @Option(
        name: .customLong("producer-email"),
        help: "An e-mail address that holds the producer role when the exchange has no policy (repeatable)."
    )
    public var producerEmails: [String] = []

    /// E-mail addresses allowed to write statuses in an open exchange; a policy decides instead.
    @Option(
        name: .customLong("consumer-email"),
        help: "An e-mail address that holds the consumer role when the exchange has no policy (repeatable)."
    )
    public var consumerEmails: [String] = []

    /// The log level of messages on standard error.
    /// Signs every commit with this SSH key (`--signing-key`, default `$GITER_SIGNING_KEY`).
    @Option(
        name: .long,
        help: "Sign every commit with this SSH key: a private key file, or a .pub whose private half ssh-agent holds (default: $GITER_SIGNING_KEY).")
    public var signingKey: String?

    /// How the remote is reached, read exactly as the `giter` tool reads it (``CredentialOptions``).
    @OptionGroup(title: "Credentials")
    public var credentialOptions: CredentialOptions

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel = "info"

    /// Options with their defaults; ArgumentParser fills them from the command line.
    public init() {}

    /// Checks that a remote is given and that the identity, log level and poll interval read right.
    public func validate() throws {
        guard resolvedRemote != nil else {
            throw ValidationError("Give the exchange repository with --remote URL or GITER_REMOTE.")
        }
        if let identity, ExchangeIdentity(parsing: identity, role: .producer) == nil {
            throw ValidationError("--identity must read \"Name <email>\", not '\(identity)'.")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        if let pollInterval, !(pollInterval > 0 && pollInterval <= 3600) {
            throw ValidationError("--poll-interval must be between 0 and 3600 seconds.")
        }
    }

    /// The remote from `--remote` or `GITER_REMOTE`.
    public var resolvedRemote: String? {
        remote ?? ProcessInfo.processInfo.environment["GITER_REMOTE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The poll interval as a duration, without webhooks: `--poll-interval`, 1 s by default.
    public var pollDuration: Duration { pollDuration(webhooks: false) }

    /// The poll interval as a duration: `--poll-interval` when given; else
    /// 1 s, or with webhooks 30 s — then the poll is a safety net for a lost
    /// webhook and the webhook is the fast path.
    public func pollDuration(webhooks: Bool) -> Duration {
        let seconds = pollInterval ?? (webhooks ? 30 : 1)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The identity to write as: `--identity`, or `fallback`.
    public func exchangeIdentity(role: ExchangeRole, fallback: String) -> ExchangeIdentity {
        if let identity, let parsed = ExchangeIdentity(parsing: identity, role: role) { return parsed }
        return ExchangeIdentity(parsing: fallback, role: role)
            ?? ExchangeIdentity(name: "Giter", email: "giter@localhost", role: role)
    }

    /// The roles to check commits against in an open exchange (no `.giter/policy.yaml`).
    public var roles: RoleAssignments {
        RoleAssignments(producers: Set(producerEmails), consumers: Set(consumerEmails))
    }

    /// The mirror folder for `role`: one per remote, branch and role under the cache folder.
    public func mirrorPath(role: ExchangeRole) -> String {
        mirrorPath(role: role, remote: resolvedRemote ?? "")
    }

    /// The mirror folder for `role` and `remote`.
    public func mirrorPath(role: ExchangeRole, remote: String) -> String {
        let base: String
        if let cache {
            base = cache
        } else {
            let environment = ProcessInfo.processInfo.environment
            let home = environment["XDG_CACHE_HOME"] ?? ((environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache")
            base = home + "/giter-examples"
        }
        let tag = String(SHA256.hex(SHA256.hash(Array("\(remote)#\(branch)".utf8))).prefix(16))
        return "\(base)/\(role)-\(tag).git"
    }

    /// Opens the mirror and a store of experiments that writes as `identity`.
    ///
    /// With `fencing` (a leader election or a shard coordinator), the
    /// store's commits carry the generation of each lease they are written
    /// under, and it writes a resource only while this replica holds its lease.
    public func makeStore(identity: ExchangeIdentity, logger: Logger, fencing: (any WriteFence)? = nil) async throws
        -> GitResourceStore<Experiment>
    {
        guard let remote = resolvedRemote else {
            throw ValidationError("Give the exchange repository with --remote URL or GITER_REMOTE.")
        }
        return try await makeStore(
            of: Experiment.self, type: ExperimentAPI.resourceType, remote: remote, identity: identity, logger: logger,
            fencing: fencing)
    }

    /// Opens a mirror of `remote` (this exchange's or another, with the same
    /// options) and a store of `type` over it that writes as `identity`.
    public func makeStore<Resource: ExchangedResource>(
        of _: Resource.Type, type: ResourceType, remote: String, identity: ExchangeIdentity, logger: Logger,
        fencing: (any WriteFence)? = nil
    ) async throws -> GitResourceStore<Resource> {
        let path = mirrorPath(role: identity.role, remote: remote)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        let configuration = RemoteConfiguration(url: remote, branch: branch, mirrorPath: path, credentials: try credentials())
        let transport = try await backend.open(configuration)
        var options = StoreOptions(identity: identity, roles: roles, signer: try signer(), logger: logger)
        options.fencing = fencing
        return GitResourceStore(transport: transport, resourceType: type, options: options)
    }

    /// A leader election among replicas of `identity`'s role over the
    /// exchange's remote, through a mirror of its own beside the store's.
    public func makeLeaderElection(
        identity: ExchangeIdentity, holder: String, duration: Duration, logger: Logger
    ) async throws -> LeaderElection {
        let options = LeaderElection.Options(
            name: identity.role.rawValue, holder: holder, duration: duration,
            author: Signature(name: identity.name, email: identity.email))
        return try LeaderElection(
            transport: try await leaseTransport(identity: identity), options: options, clock: ContinuousClock(),
            logger: logger)
    }

    /// A coordinator that splits the experiments between replicas of
    /// `identity`'s role by hash range, through a mirror of its own beside the store's.
    public func makeShardCoordinator(
        identity: ExchangeIdentity, holder: String, duration: Duration, logger: Logger
    ) async throws -> ShardCoordinator {
        let options = ShardCoordinator.Options(
            group: identity.role.rawValue, holder: holder, duration: duration,
            author: Signature(name: identity.name, email: identity.email))
        return try ShardCoordinator(
            transport: try await leaseTransport(identity: identity), options: options, clock: ContinuousClock(),
            logger: logger)
    }

    /// The transport leases are read and written through: a mirror of its own.
    private func leaseTransport(identity: ExchangeIdentity) async throws -> any Transport {
        guard let remote = resolvedRemote else {
            throw ValidationError("Give the exchange repository with --remote URL or GITER_REMOTE.")
        }
        let configuration = RemoteConfiguration(
            url: remote, branch: branch, mirrorPath: mirrorPath(role: identity.role) + ".lease",
            credentials: try credentials())
        return try await backend.open(configuration)
    }

    /// The credentials of the options and the environment (``CredentialOptions/credentials(environment:)``).
    public func credentials() throws -> Credentials {
        try credentialOptions.credentials(environment: ProcessInfo.processInfo.environment)
    }

    /// The signer `--signing-key` (or `GITER_SIGNING_KEY`) names; `nil` for none.
    public func signer() throws -> (any CommitSigner)? {
        let environment = ProcessInfo.processInfo.environment
        guard let path = signingKey ?? environment["GITER_SIGNING_KEY"], !path.isEmpty else { return nil }
        return try SSHSigning.signer(keyFile: path, environment: environment)
    }

    /// Sends swift-log's messages to standard error at ``logLevel``. Call once, from an executable.
    public func bootstrapLogging() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
