#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Foundation

/// A client of an OCI distribution registry (the `/v2/` HTTP API), with
/// only what the mirror needs: manifests and blobs, read and written.
///
/// Every read is bounded (``maximumManifestSize``, or the caller's limit for
/// a blob) and checked against its digest; every request has a time limit.
///
/// The registry allows anonymous access, takes a user name and password
/// (HTTP basic authentication, ``Login``), or hands out tokens: when it
/// answers `401` with `WWW-Authenticate: Bearer realm=…,service=…`, the
/// client asks the realm (its token service) for a token for the
/// repository — `pull`, or `pull,push` to publish — sending the ``Login``
/// when there is one (anonymously otherwise), and repeats the request with
/// `Authorization: Bearer`. Docker Hub, GHCR, Harbor, GitLab and
/// distribution with `auth: token` work this way. Tokens are kept per scope
/// and login, by this value and its copies, until shortly before they
/// expire (`expires_in`, 60 s when not given); a request fetches at most one
/// token, and a registry that refuses a fresh token is an ``OCIError`` with
/// code `authentication`. The login goes only to the registry and its token
/// service, the token only to the registry, and neither to a host either
/// redirects to; see `Documentation/OCI.md`, "Authentication".
public struct OCIRegistry: Sendable {
    /// A user name and password: HTTP basic authentication with the
    /// registry, or with its token service. Sent only over HTTPS or to a
    /// loopback host, never in a URL, and not to another host a registry
    /// or token service redirects to.
    public struct Login: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// The user name only: a login never prints its password.
        public var description: String { "\(username):<password>" }

        public var debugDescription: String { description }

        /// The user name only, for `dump` and the debugger.
        public var customMirror: Mirror { Mirror(self, children: ["username": username]) }

        var authorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
    }

    /// The most bytes of a manifest Giter reads.
    public static let maximumManifestSize = 4 << 20

    /// `host` or `host:port`.
    public var host: String
    /// `http` instead of `https`: for a registry on loopback or in a test.
    public var plainHTTP: Bool
    /// The time limit of one request, from its start to its last byte.
    public var timeout: Duration
    /// The login: sent to the registry (basic authentication), or to its
    /// token service for a token; `nil`: anonymous.
    public var login: Login?
    /// The tokens of this registry value and its copies.
    let tokens = TokenCache()

    public init(host: String, plainHTTP: Bool = false, timeout: Duration = .seconds(300), login: Login? = nil) {
        self.host = host
        self.plainHTTP = plainHTTP
        self.timeout = timeout
        self.login = login
    }

    /// The registry of `reference`.
    public init(_ reference: OCIReference, plainHTTP: Bool = false, timeout: Duration = .seconds(300), login: Login? = nil) {
        self.init(host: reference.host, plainHTTP: plainHTTP, timeout: timeout, login: login)
    }

    /// Whether `host` (`name` or `name:port`) is this machine.
    static func isLoopback(_ host: String) -> Bool {
        let name: Substring =
            if host.hasPrefix("["), let end = host.firstIndex(of: "]") { host[host.index(after: host.startIndex)..<end] }
            else { host.split(separator: ":", maxSplits: 1).first ?? "" }
        return name == "localhost" || name == "::1"
            || (name.hasPrefix("127.") && name.allSatisfy { ("0"..."9").contains($0) || $0 == "." })
    }

    /// The manifest under `reference` (a tag or a digest) in `repository`,
    /// checked against its digest when `reference` is one; `nil` when the
    /// registry has none.
    public func manifest(in repository: String, reference: String) async throws(OCIError) -> [UInt8]? {
        let response = try await send(
            "GET", path: "\(repository)/manifests/\(reference)", access: .pull(repository),
            headers: ["Accept": OCIManifest.mediaType], maxBytes: Self.maximumManifestSize,
            what: "the manifest \(repository):\(reference)")
        if response.status == 404 { return nil }
        try response.expect(200, "reading the manifest \(repository):\(reference)")
        if OCIDescriptor.isSHA256Digest(reference), OCIDescriptor.digest(of: response.body) != reference {
            throw OCIError(.digestMismatch, "the manifest \(repository)@\(reference) does not match its digest")
        }
        return response.body
    }

    /// The blob `descriptor` names, checked against its size and digest.
    ///
    /// - Throws: ``OCIError`` with code `tooLarge` when the descriptor or
    ///   the registry's answer exceeds `maxBytes`, `digestMismatch` when
    ///   the bytes are not the ones the digest names.
    public func blob(in repository: String, _ descriptor: OCIDescriptor, maxBytes: Int) async throws(OCIError) -> [UInt8] {
        let what = "the blob \(descriptor.digest) of \(repository)"
        guard OCIDescriptor.isSHA256Digest(descriptor.digest) else {
            throw OCIError(.malformed, "'\(descriptor.digest.prefix(80))' is not a sha256 digest")
        }
        guard descriptor.size <= maxBytes else {
            throw OCIError(.tooLarge, "\(what) has \(descriptor.size) bytes; Giter reads at most \(maxBytes)")
        }
        let response = try await send(
            "GET", path: "\(repository)/blobs/\(descriptor.digest)", access: .pull(repository),
            maxBytes: descriptor.size, what: what)
        try response.expect(200, "reading \(what)")
        guard response.body.count == descriptor.size, OCIDescriptor.digest(of: response.body) == descriptor.digest else {
            throw OCIError(
                .digestMismatch,
                "\(what) (\(descriptor.mediaType)) does not match its digest: it was changed in the registry or on the way")
        }
        return response.body
    }

    /// Uploads `bytes` as a blob (a monolithic upload), unless the
    /// registry has it already. Returns its descriptor.
    @discardableResult
    public func pushBlob(
        _ bytes: [UInt8], mediaType: String, annotations: [String: String]? = nil, to repository: String
    ) async throws(OCIError) -> OCIDescriptor {
        let descriptor = OCIDescriptor(mediaType: mediaType, bytes: bytes, annotations: annotations)
        let access = RepositoryAccess.push(repository)
        let head = try await send(
            "HEAD", path: "\(repository)/blobs/\(descriptor.digest)", access: access, maxBytes: 0, what: "a blob")
        if head.status == 200 { return descriptor }
        let start = try await send(
            "POST", path: "\(repository)/blobs/uploads/", access: access, maxBytes: 64 << 10, what: "an upload")
        try start.expect(202, "starting an upload to \(repository)")
        guard let location = start.headers["location"], let url = URL(string: location, relativeTo: try baseURL) else {
            throw OCIError(.registry, "the registry started an upload to \(repository) without a Location")
        }
        var components = URLComponents(url: url.absoluteURL, resolvingAgainstBaseURL: true)
        let query = (components?.queryItems ?? []) + [URLQueryItem(name: "digest", value: descriptor.digest)]
        components?.queryItems = query
        guard let target = components?.url, Self.origin(of: target) == origin else {
            // Only the origin: the rest of the location may carry a pre-signed token.
            throw OCIError(
                .registry,
                "the registry sent an upload location on another origin, \(Self.origin(of: url.absoluteURL))")
        }
        let put = try await send(
            "PUT", url: target, access: access, headers: ["Content-Type": "application/octet-stream"], body: bytes,
            maxBytes: 64 << 10, what: "an upload")
        try put.expect(201, "uploading \(descriptor.digest) to \(repository)")
        return descriptor
    }

    /// Stores `manifest` under `reference` (a tag). Returns its descriptor.
    @discardableResult
    public func pushManifest(_ manifest: [UInt8], to repository: String, reference: String) async throws(OCIError)
        -> OCIDescriptor
    {
        let response = try await send(
            "PUT", path: "\(repository)/manifests/\(reference)", access: .push(repository),
            headers: ["Content-Type": OCIManifest.mediaType], body: manifest, maxBytes: 64 << 10, what: "a manifest")
        try response.expect(201, "storing the manifest \(repository):\(reference)")
        return OCIDescriptor(mediaType: OCIManifest.mediaType, bytes: manifest)
    }

    // MARK: HTTP

    struct Response {
        var status: Int
        /// Header names in lower case.
        var headers: [String: String]
        var body: [UInt8]
        /// The URL that answered: the request's, or the last one a redirect led to; `nil` when unknown.
        var url: URL?

        init(status: Int, headers: [String: String], body: [UInt8], url: URL? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.url = url
        }

        func expect(_ expected: Int, _ doing: String) throws(OCIError) {
            guard status != expected else { return }
            let detail = String(decoding: body.prefix(300), as: UTF8.self)
                .filter { !$0.isNewline && ($0.isASCII ? ($0.asciiValue ?? 0) >= 0x20 : true) }
            if status == 401 || status == 403 {
                throw OCIError(
                    .authentication,
                    "\(doing): the registry refused access (HTTP \(status)); give a user name and password "
                        + "(GITER_REGISTRY_USERNAME and GITER_REGISTRY_PASSWORD for giter), or check them and that "
                        + "the user may use the repository")
            }
            throw OCIError(.registry, "\(doing): the registry answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")")
        }
    }

    /// `scheme://host[:port]/v2/`.
    ///
    /// - Throws: ``OCIError`` with code `invalidReference` when ``host`` makes no URL.
    var baseURL: URL {
        get throws(OCIError) {
            try OCIReference.checkHost(host)
            guard let url = URL(string: (plainHTTP ? "http" : "https") + "://" + host + "/v2/"), url.host != nil else {
                throw OCIError(.invalidReference, "'\(host)' is not a registry host: give host or host:port")
            }
            return url
        }
    }

    /// `scheme://host[:port]` of the registry: the only origin its login and tokens are sent to. For a
    /// host that makes no URL, a text no URL's origin equals (every request to it fails before it is sent).
    var origin: String { (try? baseURL).map(Self.origin(of:)) ?? "invalid host \(host)" }

    static func origin(of url: URL) -> String {
        "\(url.scheme?.lowercased() ?? "")://\(url.host?.lowercased() ?? "")" + (url.port.map { ":\($0)" } ?? "")
    }

    func send(
        _ method: String, path: String, access: RepositoryAccess, headers: [String: String] = [:],
        body: [UInt8]? = nil, maxBytes: Int, what: String
    ) async throws(OCIError) -> Response {
        guard let url = URL(string: path, relativeTo: try baseURL) else {
            throw OCIError(.invalidReference, "cannot make a URL of \(host) and \(path)")
        }
        return try await send(
            method, url: url, access: access, headers: headers, body: body, maxBytes: maxBytes, what: what)
    }

    /// A request to the registry for `access`, with the login or a token
    /// (see ``OCIRegistry``); when the registry asks for a token, it is
    /// fetched (once) and the request repeated with it.
    func send(
        _ method: String, url: URL, access: RepositoryAccess, headers: [String: String] = [:], body: [UInt8]? = nil,
        maxBytes: Int, what: String
    ) async throws(OCIError) -> Response {
        let target = Self.origin(of: url.absoluteURL)
        guard target == origin else {
            throw OCIError(.registry, "refusing to send a request meant for \(host) to \(target)")
        }
        let credential = try await credential(for: access)
        let response = try await transfer(
            method, url: url, authorization: credential?.authorization, headers: headers, body: body,
            maxBytes: maxBytes, what: what)
        try refuseForeignChallenge(response, what: what)
        guard response.status == 401, let challenge = try bearerChallenge(in: response) else { return response }
        let endpoint = try TokenEndpoint(challenge, of: self)
        tokens.remember(endpoint, of: origin)
        switch credential {
        case .bearer(_, fresh: true):
            throw refusal(of: access, by: challenge, from: endpoint)
        case .bearer(_, fresh: false):
            // Revoked, or the registry forgot it: one fresh token, no more.
            for stale in [access, access.wider].compactMap({ $0 }) { tokens.forget(tokenKey(stale)) }
        case .basic, nil:
            break
        }
        let token = try await fetchToken(from: endpoint, for: access, asked: challenge.parameters["scope"])
        let retried = try await transfer(
            method, url: url, authorization: token.authorization, headers: headers, body: body, maxBytes: maxBytes,
            what: what)
        try refuseForeignChallenge(retried, what: what)
        guard retried.status == 401 else { return retried }
        throw refusal(of: access, by: try? bearerChallenge(in: retried), from: endpoint)
    }

    /// A 401 that another origin answered — a blob store or CDN the
    /// registry redirected to — is not the registry's challenge: Giter
    /// sends no login there and asks no token service it names.
    func refuseForeignChallenge(_ response: Response, what: String) throws(OCIError) {
        guard response.status == 401 else { return }
        let answered = response.url.map { Self.origin(of: $0.absoluteURL) }
        guard answered != origin else { return }
        throw OCIError(
            .authentication,
            "\(what): \(answered ?? "a server the registry \(host) redirected to") refused access (HTTP 401) after a "
                + "redirect from the registry \(host); Giter sends its login and tokens only to the registry and its "
                + "token service, so it cannot read this: ask the registry's operator")
    }

    /// One HTTP exchange, bounded in size and time, with `authorization` when given.
    func transfer(
        _ method: String, url: URL, authorization: String?, headers: [String: String] = [:], body: [UInt8]? = nil,
        maxBytes: Int, what: String
    ) async throws(OCIError) -> Response {
        var request = URLRequest(url: url.absoluteURL)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body)
            request.setValue(String(body.count), forHTTPHeaderField: "Content-Length")
        }
        // The whole request is raced against `timeout` below; this is only URLSession's idle timer.
        request.timeoutInterval = Double(timeout.components.seconds) + 1
        let download = BoundedDownload(maxBytes: maxBytes)
        let timeout = self.timeout
        let prepared = request
        let peer = Self.origin(of: url.absoluteURL)
        let server = peer == origin ? "the registry \(host)" : "the token service \(peer)"
        do {
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await SessionRouter.shared.run(prepared, with: download) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else { throw BoundedDownload.Failure.timedOut }
                return response
            }
        } catch BoundedDownload.Failure.tooLarge {
            throw OCIError(.tooLarge, "\(what) is larger than \(maxBytes) bytes, the most Giter reads")
        } catch BoundedDownload.Failure.timedOut {
            throw OCIError(.registry, "\(server) did not answer \(method) \(url.path) within \(timeout)")
        } catch {
            throw OCIError(.registry, "cannot reach \(server) (\(method) \(url.path)): \(error.localizedDescription)")
        }
    }
}
