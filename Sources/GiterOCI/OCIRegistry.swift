#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Foundation

/// A client of an OCI distribution registry (the `/v2/` HTTP API), with
/// only what the mirror needs: manifests and blobs, read and written.
///
/// Every read is bounded (``maximumManifestSize``, or the caller's limit for
/// a blob) and checked against its digest; every request has a time limit.
/// The registry allows anonymous access, or takes a user name and password
/// (HTTP basic authentication, ``Login``); the token flow (`WWW-Authenticate:
/// Bearer`) is not implemented yet (see `Documentation/OCI.md`).
public struct OCIRegistry: Sendable {
    /// A user name and password for HTTP basic authentication. Sent only
    /// over HTTPS or to a loopback host, never in a URL, and not to another
    /// host a registry redirects to.
    public struct Login: Sendable, Hashable, CustomStringConvertible {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// The user name only: a login never prints its password.
        public var description: String { "\(username):<password>" }

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
    /// The login sent with every request; `nil`: anonymous.
    public var login: Login?

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
            "GET", path: "\(repository)/manifests/\(reference)", headers: ["Accept": OCIManifest.mediaType],
            maxBytes: Self.maximumManifestSize, what: "the manifest \(repository):\(reference)")
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
            "GET", path: "\(repository)/blobs/\(descriptor.digest)", maxBytes: descriptor.size, what: what)
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
        let head = try await send("HEAD", path: "\(repository)/blobs/\(descriptor.digest)", maxBytes: 0, what: "a blob")
        if head.status == 200 { return descriptor }
        let start = try await send("POST", path: "\(repository)/blobs/uploads/", maxBytes: 64 << 10, what: "an upload")
        try start.expect(202, "starting an upload to \(repository)")
        guard let location = start.headers["location"], let url = URL(string: location, relativeTo: baseURL) else {
            throw OCIError(.registry, "the registry started an upload to \(repository) without a Location")
        }
        var components = URLComponents(url: url.absoluteURL, resolvingAgainstBaseURL: true)
        let query = (components?.queryItems ?? []) + [URLQueryItem(name: "digest", value: descriptor.digest)]
        components?.queryItems = query
        guard let target = components?.url, target.host == baseURL.host, target.scheme == baseURL.scheme else {
            throw OCIError(.registry, "the registry sent an upload location on another host: \(location.prefix(200))")
        }
        let put = try await send(
            "PUT", url: target, headers: ["Content-Type": "application/octet-stream"], body: bytes, maxBytes: 64 << 10,
            what: "an upload")
        try put.expect(201, "uploading \(descriptor.digest) to \(repository)")
        return descriptor
    }

    /// Stores `manifest` under `reference` (a tag). Returns its descriptor.
    @discardableResult
    public func pushManifest(_ manifest: [UInt8], to repository: String, reference: String) async throws(OCIError)
        -> OCIDescriptor
    {
        let response = try await send(
            "PUT", path: "\(repository)/manifests/\(reference)", headers: ["Content-Type": OCIManifest.mediaType],
            body: manifest, maxBytes: 64 << 10, what: "a manifest")
        try response.expect(201, "storing the manifest \(repository):\(reference)")
        return OCIDescriptor(mediaType: OCIManifest.mediaType, bytes: manifest)
    }

    // MARK: HTTP

    struct Response {
        var status: Int
        /// Header names in lower case.
        var headers: [String: String]
        var body: [UInt8]

        func expect(_ expected: Int, _ doing: String) throws(OCIError) {
            guard status != expected else { return }
            let detail = String(decoding: body.prefix(300), as: UTF8.self)
                .filter { !$0.isNewline && ($0.isASCII ? ($0.asciiValue ?? 0) >= 0x20 : true) }
            if status == 401 || status == 403 {
                throw OCIError(
                    .registry,
                    "\(doing): the registry refused access (HTTP \(status)); give a user name and password "
                        + "(GITER_REGISTRY_USERNAME and GITER_REGISTRY_PASSWORD for giter), or check them; token "
                        + "authentication is not supported yet")
            }
            throw OCIError(.registry, "\(doing): the registry answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")")
        }
    }

    var baseURL: URL {
        URL(string: (plainHTTP ? "http" : "https") + "://" + host + "/v2/")!
    }

    func send(
        _ method: String, path: String, headers: [String: String] = [:], body: [UInt8]? = nil, maxBytes: Int,
        what: String
    ) async throws(OCIError) -> Response {
        guard let url = URL(string: path, relativeTo: baseURL) else {
            throw OCIError(.invalidReference, "cannot make a URL of \(host) and \(path)")
        }
        return try await send(method, url: url, headers: headers, body: body, maxBytes: maxBytes, what: what)
    }

    func send(
        _ method: String, url: URL, headers: [String: String] = [:], body: [UInt8]? = nil, maxBytes: Int, what: String
    ) async throws(OCIError) -> Response {
        var request = URLRequest(url: url.absoluteURL)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let login {
            guard !plainHTTP || Self.isLoopback(host) else {
                throw OCIError(
                    .invalidReference,
                    "refusing to send the registry password over plain HTTP to \(host): use HTTPS, or a registry on loopback")
            }
            request.setValue(login.authorization, forHTTPHeaderField: "Authorization")
        }
        if let body {
            request.httpBody = Data(body)
            request.setValue(String(body.count), forHTTPHeaderField: "Content-Length")
        }
        // The whole request is raced against `timeout` below; this is only URLSession's idle timer.
        request.timeoutInterval = Double(timeout.components.seconds) + 1
        let download = BoundedDownload(maxBytes: maxBytes)
        let timeout = self.timeout
        let prepared = request
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
            throw OCIError(.registry, "the registry \(host) did not answer \(method) \(url.path) within \(timeout)")
        } catch {
            throw OCIError(.registry, "cannot reach the registry \(host) (\(method) \(url.path)): \(error.localizedDescription)")
        }
    }
}

/// The one `URLSession` of the process, and which ``BoundedDownload``
/// each of its tasks belongs to. (A session per request made
/// swift-corelibs-foundation hang under concurrent processes: one
/// session, created once, does not.)
///
/// `@unchecked Sendable`: `downloads` is guarded by `lock`; the session is
/// set once in `init`.
final class SessionRouter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    static let shared = SessionRouter()

    private let lock = NSLock()
    private var downloads: [Int: BoundedDownload] = [:]
    private var session: URLSession?

    override private init() {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.timeoutIntervalForRequest = 24 * 3600
        configuration.timeoutIntervalForResource = 24 * 3600
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    func run(_ request: URLRequest, with download: BoundedDownload) async throws -> OCIRegistry.Response {
        guard let session else { throw URLError(.unknown) }
        let task = session.dataTask(with: request)
        lock.withLock { downloads[task.taskIdentifier] = download }
        return try await download.run(task)
    }

    private func download(of task: URLSessionTask, removing: Bool = false) -> BoundedDownload? {
        lock.withLock { removing ? downloads.removeValue(forKey: task.taskIdentifier) : downloads[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let download = download(of: dataTask) else { return completionHandler(.cancel) }
        completionHandler(download.received(response, method: dataTask.originalRequest?.httpMethod))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if download(of: dataTask)?.received(data) == false { dataTask.cancel() }
    }

    /// Giter sends its login itself: a challenge (HTTP 401) is the answer.
    /// swift-corelibs-foundation never completes a task that got a 401
    /// unless the challenge is cancelled; the task then ends with an error,
    /// which ``BoundedDownload`` turns back into the 401 it was.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        download(of: task)?.challenged(challenge.failureResponse)
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    /// A redirect to another host (a blob store) does not take the registry's login along.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        var request = request
        if request.url?.host != task.originalRequest?.url?.host || request.url?.port != task.originalRequest?.url?.port {
            request.setValue(nil, forHTTPHeaderField: "Authorization")
        }
        completionHandler(request)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        download(of: task, removing: true)?.completed(task.response, error: error)
    }
}

/// One request whose answer is read into memory, at most `maxBytes` of it:
/// the task is cancelled as soon as the registry announces or sends more.
/// The body of an error answer (not 2xx) is kept only for its message: its
/// first ``errorBodyLimit`` bytes, the rest dropped.
///
/// `@unchecked Sendable`: the session calls it on its own queue; every
/// mutable property is guarded by `lock`.
final class BoundedDownload: @unchecked Sendable {
    enum Failure: Error {
        case tooLarge
        case timedOut
    }

    static let errorBodyLimit = 4096

    private let maxBytes: Int
    private let lock = NSLock()
    private var body: [UInt8] = []
    private var tooLarge = false
    /// An error answer whose body was cut at ``errorBodyLimit``: the task was cancelled on purpose.
    private var cut = false
    private var isError = false
    private var continuation: CheckedContinuation<OCIRegistry.Response, any Error>?
    /// The answer that asked for authentication, when there was one.
    private var challenge: HTTPURLResponse?

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// The registry asked for authentication with `response` (HTTP 401).
    func challenged(_ response: URLResponse?) {
        let response = response as? HTTPURLResponse
        lock.withLock { challenge = response }
    }

    func run(_ task: URLSessionDataTask) async throws -> OCIRegistry.Response {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.withLock { self.continuation = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Whether to read the body of `response`.
    func received(_ response: URLResponse, method: String?) -> URLSession.ResponseDisposition {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let isError = !(200..<300).contains(status)
        return lock.withLock {
            self.isError = isError
            // A HEAD answer announces the size of what it does not send.
            if !isError, method != "HEAD", response.expectedContentLength > Int64(maxBytes) {
                tooLarge = true
                return .cancel
            }
            return .allow
        }
    }

    /// Keeps `data`; `false` when the task must stop.
    func received(_ data: Data) -> Bool {
        lock.withLock {
            if isError {
                body.append(contentsOf: data.prefix(Self.errorBodyLimit - body.count))
                cut = body.count >= Self.errorBodyLimit
                return !cut
            }
            if body.count + data.count > maxBytes {
                tooLarge = true
                return false
            }
            body.append(contentsOf: data)
            return true
        }
    }

    func completed(_ response: URLResponse?, error: (any Error)?) {
        let (continuation, body, tooLarge, cut, challenge) = lock.withLock {
            defer { self.continuation = nil }
            return (self.continuation, self.body, self.tooLarge, self.cut, self.challenge)
        }
        if error != nil, let challenge {
            continuation?.resume(returning: OCIRegistry.Response(status: challenge.statusCode, headers: [:], body: []))
        } else if tooLarge {
            continuation?.resume(throwing: Failure.tooLarge)
        } else if let error, !cut {
            continuation?.resume(throwing: error)
        } else if let response = response as? HTTPURLResponse {
            var headers: [String: String] = [:]
            for (name, value) in response.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            continuation?.resume(returning: OCIRegistry.Response(status: response.statusCode, headers: headers, body: body))
        } else {
            continuation?.resume(throwing: URLError(.badServerResponse))
        }
    }
}
