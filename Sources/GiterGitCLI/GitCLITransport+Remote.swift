import Foundation
public import Giter
import GiterLocalGit

extension GitCLITransport {
    /// The remote's branch: read from its files for a repository on this
    /// machine (``localRemoteBranch()``, no process), else `git ls-remote`.
    public func remoteTip() async throws -> ObjectID? {
        switch localRemoteBranch() {
        case .value(let id)?: return id
        case .missing?: return nil
        case .unreadable?, nil: break
        }
        let reference = configuration.localReference
        let result = try await network(["ls-remote", "--refs", "origin", reference])
        for line in result.outputText.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2, fields[1] == reference, let id = ObjectID(hex: String(fields[0])) { return id }
        }
        return nil
    }

    /// Fetches the branch into the tracking ref: from a repository on this
    /// machine in process when ``fetchLocally()`` can, else with `git fetch`.
    public func fetch() async throws -> ObjectID? {
        if let local = try await fetchLocally() {
            fetchRoutes.record(local.route)
            return local.tip
        }
        fetchRoutes.record(.uploadPack)
        let branch = configuration.branch
        let refspec = "+refs/heads/\(branch):\(configuration.trackingReference)"
        var arguments = ["fetch", "--quiet", "--no-tags", "--prune", "--no-write-fetch-head"]
        if configuration.fetchesBlobsOnDemand { arguments.append(Self.blobFilter) }
        // After its work git fetch starts `git maintenance run --auto`, a process that looks at the mirror's
        // loose objects and packs. When, before the fetch, those say it would do nothing, it is not started.
        let upkeep: [(key: String, value: String)] = mirrorMayGoWithoutMaintenance ? [("maintenance.auto", "false")] : []
        do {
            _ = try await network(arguments + ["origin", refspec], settings: upkeep)
        } catch let error as TransportError where error.code == .branchNotFound {
            // The branch is gone (or never was): drop a stale tracking ref.
            _ = try await runner.run(
                ["update-ref", "-d", configuration.trackingReference], environment: GitRunner.toolIdentity)
            return nil
        }
        return try await resolve(configuration.trackingReference)
    }

    /// Whether `git maintenance run --auto` would do nothing in the mirror
    /// now (``ReceivePolicy/automaticMaintenanceReason(_:settings:)`` at
    /// Git's defaults). Only while the mirror's `config` file names no
    /// `gc`, `maintenance` or `include` section (Giter writes none; one set
    /// by hand is Git's to read): otherwise, and when the file cannot be
    /// read, false.
    var mirrorMayGoWithoutMaintenance: Bool {
        let mirror = LocalRepository(folder: runner.mirrorPath)
        guard let configuration = Platform.contents(of: mirror.configurationFile) else { return false }
        let text = String(decoding: configuration, as: UTF8.self).lowercased()
        // `[include` also finds `[includeIf`.
        for section in ["gc", "maintenance", "include"] where text.contains("[" + section) {
            return false
        }
        return ReceivePolicy.automaticMaintenanceReason(mirror, settings: [:]) == nil
    }

    /// Pushes directly into a bare repository on this machine when nothing
    /// there needs receive-pack (`pushDirectly(_:expecting:)`), otherwise
    /// with `git push --porcelain --force-with-lease=<branch>:<expected>`.
    public func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        if let outcome = try await pushDirectly(commit, expecting: expected) {
            pushRoutes.record(.direct)
            return outcome
        }
        pushRoutes.record(.receivePack)
        switch try await pushThroughReceivePack(commit, to: configuration.localReference, expecting: expected) {
        case .moved(let flag) where flag == "=" || daemonAddress != nil:
            // Already there, or pushed over the relay (to `fd::3`, which is no remote of the mirror's).
            let tracking = "start\nupdate \(configuration.trackingReference) \(commit.hex)\ncommit\n"
            _ = try await mirrorReferences.request(Array(tracking.utf8), lines: 2)
            return .pushed(commit)
        case .moved:
            // git moved the tracking ref already (the mirror has a fetch refspec for the branch).
            return .pushed(commit)
        case .refused(let outcome):
            return outcome
        }
    }

    /// What `git push --porcelain` said about one ref.
    enum ReceivePackAnswer {
        /// The ref is at the commit; the porcelain flag (` `, `+`, `*` or `=`: already there).
        case moved(Character)
        /// The server or the lease refused it.
        case refused(PushOutcome)
    }

    /// `git push --porcelain --force-with-lease=<target>:<expected>` of
    /// `commit` to the remote ref `target`, always through receive-pack
    /// (so the server's hooks judge it), and its porcelain status read.
    func pushThroughReceivePack(_ commit: ObjectID, to target: String, expecting expected: ObjectID?) async throws
        -> ReceivePackAnswer
    {
        try await receivePack(source: commit.hex, to: target, expecting: expected)
    }

    /// `git push --porcelain --force-with-lease=<target>:<expected> origin :<target>`:
    /// deletes the remote ref `target` if it is at `expected`.
    func deleteThroughReceivePack(_ target: String, expecting expected: ObjectID) async throws -> ReceivePackAnswer {
        try await receivePack(source: "", to: target, expecting: expected)
    }

    /// `git push --porcelain` of `<source>:<target>` with a lease on `expected`.
    private func receivePack(source: String, to target: String, expecting expected: ObjectID?) async throws
        -> ReceivePackAnswer
    {
        let lease = "--force-with-lease=\(target):\(expected?.hex ?? "")"
        let arguments = ["push", "--porcelain", "--no-verify", lease, "origin", "\(source):\(target)"]
        let result = try await network(arguments, throwing: false)
        let remoteLines = result.standardError.split(separator: "\n")
            .filter { $0.hasPrefix("remote:") }
            .map { line in
                var text = line
                while text.last == " " || text.last == "\r" { text.removeLast() }
                return String(text)
            }

        var status: Substring?
        for line in result.outputText.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count >= 3, fields[1].hasSuffix(":" + target) {
                status = line
                break
            }
        }
        guard let status, let flag = status.first else {
            if result.succeeded {
                throw TransportError(.backend, "git push printed no status for \(target): \(result.outputText)")
            }
            throw GitFailure.error(for: result, command: "push", remote: configuration.url)
        }
        let summary = status.split(separator: "\t", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\t")
        switch flag {
        case " ", "+", "*", "=", "-":
            return .moved(flag)
        case "!":
            var message = summary
            if !remoteLines.isEmpty { message += "\n" + remoteLines.joined(separator: "\n") }
            return .refused(RefUpdateFailure(status: summary, serverLines: remoteLines).pushOutcome(message: message))
        default:
            throw TransportError(.backend, "git push printed an unexpected status: '\(status)'")
        }
    }

    /// Runs a git command that talks to the remote, with the credentials
    /// passed through the child's environment only: `GIT_SSH_COMMAND` with
    /// the key (or the agent at `SSH_AUTH_SOCK`) and the known-hosts file
    /// (strict checking, no prompts); for HTTPS, and for `http://` once the
    /// server has been seen to ask for Basic alone (``HTTPLoginTrace``), the
    /// user name and password as an `Authorization: Basic` header that goes
    /// with the first request (`http.extraHeader`, redirects not followed),
    /// so that no request is answered 401 first and no credential helper
    /// process runs. Otherwise, for a server that refused the header without
    /// ever taking it (it may want another scheme than Basic: the next
    /// attempt; over `http://` any refusal), and after a redirect (the
    /// command runs again at once), the login comes from an inline
    /// credential helper (``inlineCredentialHelper``, the remote's own host
    /// only) that echoes variables set for the child, only when the server
    /// asks; from then on for the rest of the transport's life
    /// (``basicAuthorizationRefused``). Configuration
    /// (helpers, headers, proxy, CA) goes through `GIT_CONFIG_COUNT`, never
    /// on the command line. A refused login is retried up to `maxAttempts`
    /// times, one login per attempt.
    ///
    /// With `throwing` false a failed run is returned for the caller to read
    /// (`push --porcelain` reports rejections on standard output).
    ///
    /// For a partial mirror (``RemoteConfiguration/fetchesBlobsOnDemand``)
    /// the remote is a promisor remote for this command only
    /// (`remote.origin.promisor`): the mirror's own configuration does not
    /// say so, so that a read of a missing blob by the long-lived
    /// `cat-file` reports it missing instead of fetching it on its own.
    @discardableResult
    func network(
        _ arguments: [String], input: [UInt8]? = nil, settings extra: [(key: String, value: String)] = [],
        throwing: Bool = true
    ) async throws -> GitResult {
        let credentials = configuration.credentials
        var environment = GitRunner.toolIdentity
        var scratch: TemporaryFolder?
        defer { scratch?.remove() }
        var ssh = "ssh -F /dev/null -o StrictHostKeyChecking=yes -o KexAlgorithms=\(Self.kexAlgorithms)"
        if let key = credentials.sshKey {
            ssh += " -i \(Self.shellQuoted(key.privateKeyPath)) -o IdentitiesOnly=yes -o IdentityAgent=none"
            if let passphrase = key.passphrase {
                // ssh reads the passphrase from an askpass program; the program
                // only echoes a variable of the child's environment.
                let folder = try TemporaryFolder()
                scratch = folder
                let askpass = folder.path + "/askpass"
                let script = "#!/bin/sh\nprintf '%s\\n' \"$GITER_SSH_PASSPHRASE\"\n"
                guard FileManager.default.createFile(atPath: askpass, contents: Data(script.utf8), attributes: [.posixPermissions: 0o700])
                else {
                    throw TransportError(.backend, "cannot write the askpass helper in \(folder.path)")
                }
                environment["SSH_ASKPASS"] = askpass
                environment["SSH_ASKPASS_REQUIRE"] = "force"
                environment["GITER_SSH_PASSPHRASE"] = passphrase
                ssh += " -o BatchMode=no -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no"
                ssh += " -o NumberOfPasswordPrompts=1"
            } else {
                ssh += " -o BatchMode=yes"
            }
        } else if credentials.useSSHAgent {
            // The agent of this process, and only its keys.
            guard let socket = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
                throw TransportError(
                    .authenticationFailed, "authentication failed: ssh-agent was asked for but SSH_AUTH_SOCK is not set",
                    remote: configuration.url)
            }
            environment["SSH_AUTH_SOCK"] = socket
            ssh += " -o BatchMode=yes -o IdentityAgent=SSH_AUTH_SOCK -o IdentityFile=none"
        } else {
            ssh += " -o BatchMode=yes"
        }
        if let knownHosts = credentials.knownHostsPath {
            ssh += " -o UserKnownHostsFile=\(Self.shellQuoted(knownHosts)) -o GlobalKnownHostsFile=/dev/null"
        }
        // The limit is the parent's to enforce (it kills git's process group); these make git's own children
        // give up too, should one outlive giter (a Ctrl-C reaches giter's process group, not git's).
        let limitSeconds = configuration.conversationTimeLimit.map { max(1, $0.components.seconds) }
        if let limitSeconds { ssh += " -o ConnectTimeout=\(limitSeconds)" }
        environment["GIT_SSH_COMMAND"] = ssh
        environment["GIT_SSH_VARIANT"] = "ssh"
        // The mirror's helpers (it has none) are reset; the user's come
        // only when asked for and Giter has no credentials of its own.
        var settings: [(key: String, value: String)] = [("credential.helper", "")]
        if configuration.fetchesBlobsOnDemand {
            settings += [("remote.origin.promisor", "true"), ("remote.origin.partialclonefilter", "blob:none")]
        }
        settings += extra
        if let user = userSettings {
            settings += user.settings.filter { setting in
                if UserGitSettings.isCredential(setting.key) { return credentials.passwordProvider == nil }
                if UserGitSettings.isProxy(setting.key) { return credentials.proxy == nil }
                if UserGitSettings.isCertificateAuthority(setting.key) { return credentials.certificateAuthorityFile == nil }
                return true
            }
            // An explicit proxy or CA file wins over the user's variables (which git would prefer to configuration).
            let passed = user.passedEnvironment.filter { name, _ in
                if UserGitSettings.proxyVariables.contains(name) { return credentials.proxy == nil }
                if UserGitSettings.certificateVariables.contains(name) { return credentials.certificateAuthorityFile == nil }
                return true
            }
            environment.merge(passed) { current, _ in current }
        }
        if let proxy = credentials.proxy { settings.append(("http.proxy", proxy)) }
        if let file = credentials.certificateAuthorityFile { settings.append(("http.sslCAInfo", file)) }
        if let limitSeconds { settings += [("http.lowSpeedLimit", "1"), ("http.lowSpeedTime", "\(limitSeconds)")] }
        let isHTTPS = configuration.url.hasPrefix("https://")
        let isHTTP = configuration.url.hasPrefix("http://") || isHTTPS
        let attempts = isHTTP && credentials.passwordProvider != nil ? max(1, credentials.maxAttempts) : 1
        var last = GitResult(exitCode: nil, standardOutput: [], standardError: "")
        /// One run of the command; with `login`, the credentials go with its
        /// first request (`proactive`) or only once the server asks for them.
        func run(login: Credentials.UserPassword?, proactive: Bool, extra: [String: String] = [:]) async throws
            -> GitResult
        {
            var attemptEnvironment = environment.merging(extra) { _, new in new }
            var attemptSettings = settings
            if let login, proactive {
                let pair = Data("\(login.user):\(login.password)".utf8).base64EncodedString()
                // Not to a host a redirect names: such a run fails, and runs again waiting to be asked.
                attemptSettings += [("http.extraHeader", "Authorization: Basic " + pair), ("http.followRedirects", "false")]
            } else if let login {
                attemptEnvironment["GITER_USER"] = login.user
                attemptEnvironment["GITER_PASSWORD"] = login.password
                let remote = Self.credentialOrigin(of: configuration.url)
                attemptEnvironment["GITER_PROTOCOL"] = remote.protocol
                attemptEnvironment["GITER_HOST"] = remote.host
                attemptSettings.insert(("credential.helper", Self.inlineCredentialHelper), at: 1)
            }
            attemptEnvironment.merge(GitRunner.configurationEnvironment(attemptSettings)) { _, new in new }
            return try await runThroughRelayIfAny(arguments, environment: attemptEnvironment, input: input)
        }
        for _ in 0..<attempts {
            // The provider is asked before each attempt.
            var login: Credentials.UserPassword?
            if isHTTP, let provider = credentials.passwordProvider {
                login = try await provider(configuration.url)
            }
            if let login {
                for value in [login.user, login.password]
                where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    throw TransportError(.invalidArgument, "user names and passwords must not hold control characters")
                }
            }
            // Over http:// only to a server that asked for Basic and took it: to another the login would travel
            // in clear where the scheme it asked for (Digest) never sends it.
            let proactive =
                login != nil && (isHTTPS || basicAuthorizationAccepted.value) && !basicAuthorizationRefused.value
            var result: GitResult
            if login != nil, !proactive, isHTTP, !isHTTPS, !httpLoginSchemeExamined.value {
                result = try await runLearningTheScheme { extra in try await run(login: login, proactive: false, extra: extra) }
            } else {
                result = try await run(login: login, proactive: proactive)
            }
            if proactive, !result.timedOut {
                if result.succeeded {
                    basicAuthorizationAccepted.set()
                } else if result.errorText.contains("returned error: 30") {
                    // A redirect, not followed with the login in every request: again, following it and
                    // answering only when asked, as from now on. No login was refused.
                    basicAuthorizationRefused.set()
                    result = try await run(login: login, proactive: false)
                } else if !basicAuthorizationAccepted.value || !isHTTPS,
                    GitFailure.code(for: result.errorText) == .authenticationFailed
                {
                    // Refused, and never taken before: the server may want another scheme than Basic. Over
                    // http:// any refusal: the server may have moved to a scheme that keeps the password
                    // out of the clear. The next attempt, and every later command, waits to be asked.
                    basicAuthorizationRefused.set()
                }
            }
            if result.timedOut {
                let action = ["ls-remote": "list the refs of", "fetch": "fetch from", "push": "push to"][arguments.first ?? ""]
                throw TransportError.timedOut("\(action ?? "talk to") \(configuration.url)", configuration)
            }
            if result.succeeded { return result }
            last = result
            if login == nil || GitFailure.code(for: result.errorText) != .authenticationFailed { break }
        }
        if !throwing { return last }
        var error = GitFailure.error(for: last, command: arguments.first ?? "", remote: configuration.url)
        if error.code == .authenticationFailed, attempts > 1 {
            error.message = "authentication failed after \(attempts) attempts: " + error.message
        }
        throw error
    }

    /// The credential helper of a command that waits to be asked: git runs
    /// it through the shell with `get`, `store` or `erase` and writes what it
    /// asks for on its input (`protocol=…`, `host=…`, one per line). It
    /// answers `get` with the login from the child's environment
    /// (`GITER_USER`, `GITER_PASSWORD`), and only for the remote's own
    /// protocol and host (`GITER_PROTOCOL`, `GITER_HOST`,
    /// ``credentialOrigin(of:)``): a redirect to another host that asks
    /// gets nothing.
    static let inlineCredentialHelper =
        "!f() { test \"$1\" = get || return 0; p=; h=; "
        + "while IFS= read -r l; do case \"$l\" in protocol=*) p=${l#protocol=};; host=*) h=${l#host=};; esac; done; "
        + "test \"$p\" = \"$GITER_PROTOCOL\" && test \"$h\" = \"$GITER_HOST\" "
        + "&& printf 'username=%s\\npassword=%s\\n' \"$GITER_USER\" \"$GITER_PASSWORD\"; }; f"

    /// The protocol and host of `url` as git names them to a credential
    /// helper: the scheme, and the authority (``RemoteURLAuthority``, with
    /// its port when the URL names one), percent-decoded.
    static func credentialOrigin(of url: String) -> (protocol: String, host: String) {
        guard let parts = RemoteURLAuthority.parts(of: url) else { return ("", "") }
        let host = String(parts.authority)
        return (String(parts.scheme), host.removingPercentEncoding ?? host)
    }

    /// Runs `command` (a network command over `http://` that gives the login
    /// only when asked) with git's trace of its HTTP headers, and reads in
    /// it which scheme the server asked for (``HTTPLoginTrace``): when the
    /// command succeeded and git logged in with Basic alone, later commands
    /// send the login with their first request. The first successful
    /// command that logged in, was redirected, or left a trace that cannot
    /// be read ends the looking (`httpLoginSchemeExamined`); only the first
    /// can teach anything.
    private func runLearningTheScheme(_ command: ([String: String]) async throws -> GitResult) async throws
        -> GitResult
    {
        // No place for the trace: the command runs untraced, and nothing is learned this time.
        guard let folder = try? TemporaryFolder() else { return try await command([:]) }
        defer { folder.remove() }
        let trace = folder.path + "/curl-trace"
        let result = try await command([
            "GIT_TRACE_CURL": trace, "GIT_TRACE_CURL_NO_DATA": "1", "GIT_TRACE_REDACT": "1",
        ])
        guard result.succeeded else { return result }
        let read = HTTPLoginTrace(file: trace)
        // A command that needed no login (an anonymous fetch) says nothing: the next one is traced.
        if read?.saysSomething ?? true { httpLoginSchemeExamined.set() }
        if read?.serverTookBasicAlone == true { basicAuthorizationAccepted.set() }
        return result
    }

    /// Runs a network command; for a `git://` remote (``daemonAddress``)
    /// `fetch`, `ls-remote` and `push` get the connection from a
    /// ``SocketRelay`` as `fd::3` in place of `origin`.
    private func runThroughRelayIfAny(_ arguments: [String], environment: [String: String], input: [UInt8]?)
        async throws -> GitResult
    {
        let limit = configuration.conversationTimeLimit
        let service: String? =
            switch arguments.first {
            case "fetch", "ls-remote": "git-upload-pack"
            case "push": "git-receive-pack"
            default: nil
            }
        guard let address = daemonAddress, let service, input == nil,
            let origin = arguments.firstIndex(of: "origin"), arguments.lastIndex(of: "origin") == origin
        else {
            return try await runner.run(arguments, environment: environment, input: input, timeLimit: limit)
        }
        let milliseconds = limit.map { Int32(clamping: min(max(1, $0.components.seconds), Int64(Int32.max) / 1000) * 1000) } ?? 0
        let relay: SocketRelay
        do {
            relay = try SocketRelay(
                host: address.host, port: address.port,
                greeting: address.request(service: service, protocolVersion2: service == "git-upload-pack"),
                connectLimit: milliseconds, ioLimit: milliseconds)
        } catch {
            // No local sockets or thread for a relay: git connects by itself, stalls and all.
            return try await runner.run(arguments, environment: environment, input: input, timeLimit: limit)
        }
        defer { relay.finish() }
        daemonRelays.increment()
        var relayed = arguments
        relayed[origin] = "fd::3"
        var result = try await runner.run(relayed, environment: environment, timeLimit: limit, connection: relay.localEnd)
        if let failure = relay.failure, !result.succeeded, !result.timedOut {
            // git saw the server hang up; the relay knows why.
            if failure.resolving {
                throw TransportError(
                    .unreachable, "could not resolve host \(address.host): \(failure.reason)", remote: configuration.url)
            }
            if failure.code == EINPROGRESS || failure.code == EAGAIN || failure.code == ETIMEDOUT {
                throw TransportError.timedOut("connect to \(configuration.url)", configuration)
            }
            throw TransportError(
                .unreachable, "unable to connect to \(address.host):\(address.port): \(failure.reason)",
                remote: configuration.url)
        }
        // git names the remote by what it was given; the messages name the URL.
        result.standardError = result.standardError.replacingOccurrences(of: "fd::3", with: configuration.url)
        return result
    }

    static let kexAlgorithms =
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group16-sha512,diffie-hellman-group14-sha256"

    /// `'text'` for a POSIX shell, with embedded single quotes escaped.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
