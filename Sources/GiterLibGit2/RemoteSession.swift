internal import CLibGit2
import Dispatch
import Giter
import GiterLocalGit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One conversation with the remote "origin": owns the `git_remote` handle
/// and answers libgit2's callbacks (credentials, host key check, server
/// messages, per-ref push results).
///
/// Used on the mirror's queue only. The session must stay alive during
/// every libgit2 call given its callbacks: they reach it through an
/// unretained payload pointer.
final class RemoteSession {
    let pointer: OpaquePointer
    let repository: Repository
    let configuration: RemoteConfiguration
    /// Whether the remote is a repository on this machine (a path or `file://`).
    let isLocal: Bool

    /// A failure a callback decided on (refused host key, too many
    /// credential attempts); it replaces libgit2's own, vaguer error.
    private(set) var callbackFailure: TransportError?
    private var credentialAttempts = 0
    /// Text the server sent on the progress side band (`remote:` lines).
    private(set) var serverMessages: [UInt8] = []
    /// Refs the server refused during a push, with its reason.
    private(set) var rejectedReferences: [(reference: String, status: String)] = []

    init(repository: Repository, configuration: RemoteConfiguration) throws(TransportError) {
        pointer = try repository.originRemote(for: configuration.url)
        self.repository = repository
        self.configuration = configuration
        isLocal = LocalRepositoryURL.isLocal(configuration.url)
    }

    deinit {
        git_remote_disconnect(pointer)
        git_remote_free(pointer)
    }

    /// Checks a libgit2 result for a call that talked to the remote.
    @discardableResult
    func check(
        _ result: Int32,
        _ action: @autoclosure () -> String,
        allowing allowed: Set<LibGit2Code> = []
    ) throws(TransportError) -> LibGit2Code {
        if result < 0, let callbackFailure {
            git_error_clear()
            throw callbackFailure
        }
        if result < 0, let local = LocalRepositoryURL(configuration.url), !local.exists {
            git_error_clear()
            throw TransportError(
                .repositoryNotFound, "cannot \(action()): there is no repository at \(local.path)", remote: configuration.url)
        }
        return try LibGit2.check(result, action(), allowing: allowed, remote: configuration.url)
    }

    // MARK: Operations

    /// Connects (fetch or push direction) and returns the refs the server advertises.
    func connect(forPush: Bool) throws(TransportError) -> [String: git_oid] {
        var callbacks = try makeCallbacks()
        let direction = forPush ? GIT_DIRECTION_PUSH : GIT_DIRECTION_FETCH
        _ = try withProxyOptions { (proxy) throws(TransportError) in
            try withDeadline("connect to \(configuration.url)") { () throws(TransportError) in
                try check(git_remote_connect(pointer, direction, &callbacks, &proxy, nil), "connect to \(configuration.url)")
            }
        }
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check(git_remote_ls(&heads, &count, pointer), "list the refs of \(configuration.url)")
        var result: [String: git_oid] = [:]
        for index in 0..<count {
            guard let head = heads?[index], let name = head.pointee.name else { continue }
            result[String(cString: name)] = head.pointee.oid
        }
        return result
    }

    /// Downloads what `refspec` names and updates the local refs it maps to.
    func fetch(refspec: String) throws(TransportError) {
        var options = git_fetch_options()
        try LibGit2.check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "prepare fetch options")
        options.callbacks = try makeCallbacks()
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        try withProxyOptions { (proxy) throws(TransportError) in
            options.proxy_opts = proxy
            _ = try withStringArray([refspec]) { (refspecs) throws(TransportError) in
                try withDeadline("fetch \(refspec) from \(configuration.url)") { () throws(TransportError) in
                    try check(git_remote_fetch(pointer, &refspecs, &options, nil), "fetch \(refspec) from \(configuration.url)")
                }
            }
        }
    }

    /// Pushes `refspec`; returns the libgit2 code (`.nonFastForward` is
    /// returned, not thrown). Refusals by the server are in ``rejectedReferences``.
    func push(refspec: String) throws(TransportError) -> LibGit2Code {
        var options = git_push_options()
        try LibGit2.check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "prepare push options")
        options.callbacks = try makeCallbacks()
        return try withProxyOptions { (proxy) throws(TransportError) in
            options.proxy_opts = proxy
            return try withStringArray([refspec]) { (refspecs) throws(TransportError) in
                try withDeadline("push \(refspec) to \(configuration.url)") { () throws(TransportError) in
                    try check(
                        git_remote_push(pointer, &refspecs, &options),
                        "push \(refspec) to \(configuration.url)",
                        allowing: [.nonFastForward]
                    )
                }
            }
        }
    }

    /// Runs `body`, a libgit2 call that talks to the server, under the
    /// remote's ``RemoteConfiguration/networkTimeLimit`` (``NetworkDeadline``).
    private func withDeadline<Result>(
        _ action: String, _ body: () throws(TransportError) -> Result
    ) throws(TransportError) -> Result {
        try NetworkDeadline.run(
            limit: configuration.conversationTimeLimit,
            timedOut: { TransportError.timedOut(action, configuration) },
            body)
    }

    /// Lends the proxy options of ``configuration``: `Credentials.proxy`
    /// when given; else, with the user's settings asked for, the proxy the
    /// variables of their environment name (``ProxyVariables``; this
    /// backend reads no git configuration file); else none.
    private func withProxyOptions<Result>(
        _ body: (inout git_proxy_options) throws(TransportError) -> Result
    ) throws(TransportError) -> Result {
        var proxy = git_proxy_options()
        try LibGit2.check(git_proxy_options_init(&proxy, UInt32(GIT_PROXY_OPTIONS_VERSION)), "prepare proxy options")
        let credentials = configuration.credentials
        let environment = credentials.gitConfiguration.environment
        guard !isLocal,
            let url = credentials.proxy ?? environment.flatMap({ ProxyVariables.proxy(for: configuration.url, in: $0) })
        else {
            proxy.type = GIT_PROXY_NONE
            return try body(&proxy)
        }
        let copy = strdup(url)
        defer { free(copy) }
        proxy.type = GIT_PROXY_SPECIFIED
        proxy.url = UnsafePointer(copy)
        return try body(&proxy)
    }

    /// What the server said, as `remote:` lines, trailing spaces removed.
    var serverText: String {
        String(decoding: serverMessages, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { line in
                var line = Substring(line)
                while line.last == " " { line.removeLast() }
                return "remote: \(line)"
            }
            .joined(separator: "\n")
    }

    /// The outcome of a push some of whose refs the server rejected (its
    /// message: what the server said, then each ref's status); `nil` when
    /// it rejected none.
    func rejectionOutcome() -> PushOutcome? {
        guard !rejectedReferences.isEmpty else { return nil }
        let statuses = rejectedReferences.map { "\($0.reference): \($0.status)" }.joined(separator: "\n")
        let message = [serverText, statuses].filter { !$0.isEmpty }.joined(separator: "\n")
        let serverLines = serverText.split(separator: "\n").map(String.init)
        let failures = rejectedReferences.map { RefUpdateFailure(status: $0.status, serverLines: serverLines) }
        return RefUpdateFailure(combining: failures).pushOutcome(message: message)
    }

    // MARK: Callbacks

    private func makeCallbacks() throws(TransportError) -> git_remote_callbacks {
        var callbacks = git_remote_callbacks()
        try LibGit2.check(
            git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION)),
            "prepare remote callbacks"
        )
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        if isLocal {
            // A repository on this machine: talk to git-upload-pack /
            // git-receive-pack, so its hooks and checks apply.
            callbacks.transport = { out, owner, _ in
                LocalSubtransport.makeTransport(out, owner: owner)
            }
        }
        callbacks.credentials = { out, url, user, allowed, payload in
            guard let out, let payload else { return -1 }
            let session = Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue()
            return session.acquireCredential(
                out, url: url.map { String(cString: $0) } ?? "", user: user.map { String(cString: $0) }, allowed: allowed)
        }
        callbacks.certificate_check = { certificate, _, host, payload in
            guard let certificate, let payload else { return -1 }
            let session = Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue()
            return session.checkCertificate(certificate, host: host.map { String(cString: $0) } ?? "")
        }
        callbacks.sideband_progress = { text, length, payload in
            guard let payload else { return 0 }
            let session = Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue()
            if let text, length > 0 {
                text.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { bytes in
                    session.serverMessages.append(contentsOf: UnsafeBufferPointer(start: bytes, count: Int(length)))
                }
            }
            return 0
        }
        callbacks.push_update_reference = { reference, status, payload in
            guard let payload else { return 0 }
            let session = Unmanaged<RemoteSession>.fromOpaque(payload).takeUnretainedValue()
            if let status {
                session.rejectedReferences.append(
                    (reference.map { String(cString: $0) } ?? "?", String(cString: status)))
            }
            return 0
        }
        return callbacks
    }

    private func fail(_ error: TransportError) -> Int32 {
        callbackFailure = error
        return GIT_EUSER.rawValue
    }

    private func acquireCredential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>,
        url: String,
        user: String?,
        allowed: UInt32
    ) -> Int32 {
        credentialAttempts += 1
        let credentials = configuration.credentials
        guard credentialAttempts <= max(1, credentials.maxAttempts) else {
            return fail(
                TransportError(
                    .authenticationFailed,
                    "authentication failed: the server refused the credentials \(credentials.maxAttempts) time(s)",
                    remote: configuration.url))
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            guard let key = credentials.sshKey else {
                if credentials.useSSHAgent {
                    // libssh2 asks the agent at this process's SSH_AUTH_SOCK.
                    guard let socket = getenv("SSH_AUTH_SOCK"), socket.pointee != 0 else {
                        return fail(
                            TransportError(
                                .authenticationFailed,
                                "authentication failed: ssh-agent was asked for but SSH_AUTH_SOCK is not set",
                                remote: configuration.url))
                    }
                    return git_credential_ssh_key_from_agent(out, user ?? "git")
                }
                return fail(
                    TransportError(
                        .authenticationFailed,
                        "authentication failed: the server wants an SSH key and neither a key file nor ssh-agent is configured",
                        remote: configuration.url))
            }
            let publicKey = key.publicKeyPath ?? key.privateKeyPath + ".pub"
            return git_credential_ssh_key_new(out, user ?? "git", publicKey, key.privateKeyPath, key.passphrase)
        }
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, user ?? "git")
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
            guard let provider = credentials.passwordProvider else {
                return fail(
                    TransportError(
                        .authenticationFailed,
                        "authentication failed: the server wants a user and password and no password provider is configured",
                        remote: configuration.url))
            }
            switch PasswordRequest.ask(provider, url: configuration.url) {
            case .success(let answer?):
                return git_credential_userpass_plaintext_new(out, answer.user, answer.password)
            case .success(nil):
                return fail(
                    TransportError(
                        .authenticationFailed, "authentication failed: the password provider gave no credentials",
                        remote: configuration.url))
            case .failure(let error):
                return fail(
                    TransportError(
                        .authenticationFailed, "authentication failed: the password provider failed: \(error)",
                        remote: configuration.url, underlying: error))
            }
        }
        return fail(
            TransportError(
                .authenticationFailed, "authentication failed: no configured credential fits what the server accepts",
                remote: configuration.url))
    }

    private func checkCertificate(_ certificate: UnsafeMutablePointer<git_cert>, host: String) -> Int32 {
        guard certificate.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            // TLS: libgit2 has verified the chain against the system's CAs.
            return GIT_PASSTHROUGH.rawValue
        }
        let hostKey = UnsafeMutableRawPointer(certificate).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        let port = KnownHosts.port(ofURL: configuration.url)
        let name = KnownHosts.entryName(host: host, port: port)
        guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey,
            let keyType = KnownHosts.keyTypeName(rawType: hostKey.raw_type.rawValue)
        else {
            return fail(
                TransportError(.unknownHostKey, "the SSH server \(name) sent a host key of a type Giter cannot check", remote: configuration.url))
        }
        let key = raw.withMemoryRebound(to: UInt8.self, capacity: hostKey.hostkey_len) {
            Array(UnsafeBufferPointer(start: $0, count: hostKey.hostkey_len))
        }
        let file = configuration.credentials.knownHostsPath ?? defaultKnownHostsPath()
        switch KnownHosts(path: file).verdict(host: host, port: port, keyType: keyType, key: key) {
        case .known:
            return 0
        case .unknown:
            return fail(
                TransportError(
                    .unknownHostKey,
                    "the SSH server \(name) is not in \(file) (no \(keyType) key); add its host key there after checking it",
                    remote: configuration.url))
        case .changed:
            return fail(
                TransportError(
                    .changedHostKey,
                    "the SSH server \(name) presented a \(keyType) host key that differs from the one in \(file): refusing to connect",
                    remote: configuration.url))
        }
    }

    private func defaultKnownHostsPath() -> String {
        let home = getenv("HOME").map { String(cString: $0) } ?? "/"
        return home + "/.ssh/known_hosts"
    }
}

/// Calls an async password provider from a libgit2 callback.
///
/// The callback runs on the mirror's dispatch queue, not on the cooperative
/// pool, so blocking it while a task asks the provider cannot starve the pool.
enum PasswordRequest {
    /// Holds the answer; written once before `signal`, read after `wait`.
    private final class Answer: @unchecked Sendable {
        // @unchecked Sendable: the semaphore orders the single write before the read.
        var result: Result<Credentials.UserPassword?, any Error> = .success(nil)
        let done = DispatchSemaphore(value: 0)
    }

    static func ask(
        _ provider: @escaping @Sendable (String) async throws -> Credentials.UserPassword?,
        url: String
    ) -> Result<Credentials.UserPassword?, any Error> {
        let answer = Answer()
        Task {
            do {
                answer.result = .success(try await provider(url))
            } catch {
                answer.result = .failure(error)
            }
            answer.done.signal()
        }
        answer.done.wait()
        return answer.result
    }
}

/// Lends `strings` to libgit2 as a `git_strarray`.
func withStringArray<Result>(
    _ strings: [String],
    _ body: (inout git_strarray) throws(TransportError) -> Result
) throws(TransportError) -> Result {
    var copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return try copies.withUnsafeMutableBufferPointer { (buffer) throws(TransportError) in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}
