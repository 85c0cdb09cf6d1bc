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
