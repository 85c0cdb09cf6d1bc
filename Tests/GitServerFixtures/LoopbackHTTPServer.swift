internal import Foundation
internal import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1, in this process: each request
/// (head at most 64 KiB, body at most 1 MiB) goes to `handler`, each
/// answer closes its connection. For fakes a test builds itself: a token
/// service, a registry that redirects, a blob store that records what it
/// was sent. Every request is kept in ``requests``.
///
/// One thread accepts (polling, so ``stop()`` ends it within 100 ms) and
/// one thread serves each connection, with 10 s of patience for a client.
public final class LoopbackHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        /// The request target: the path and the query, as sent.
        public var target: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: [UInt8]

        public var path: String { String(target.prefix { $0 != "?" }) }

        /// The query's parameters in order, decoded (`scope` may repeat).
        public var query: [(name: String, value: String)] {
            guard let mark = target.firstIndex(of: "?") else { return [] }
            return target[target.index(after: mark)...].split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]

        public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static func json(_ text: String, status: Int = 200) -> Response {
            Response(status: status, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
        }
    }

    public typealias Handler = @Sendable (Request) -> Response

    private struct State {
        var listener: Int32 = -1
        var port: Int?
        var stopping = false
        var requests: [Request] = []
    }

    private let handler: Handler
    private let state = Mutex(State())
    private let acceptorEnded = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let ended = Mutex(false)

    public init(handler: @escaping Handler) {
        self.handler = handler
    }

    /// The port, once started.
    public var port: Int? { state.withLock { $0.port } }

    /// Every request served so far, in order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// Binds a free port on 127.0.0.1 and starts serving.
    public func start() throws {
        let descriptor = socket(AF_INET, Self.streamType, 0)
        guard descriptor >= 0 else { throw FixtureError("socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 64) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw FixtureError("cannot listen on 127.0.0.1: errno \(errno)")
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        state.withLock {
            $0.listener = descriptor
            $0.port = port
        }
        Thread.detachNewThread { [self] in acceptLoop(descriptor) }
    }

    /// Stops accepting and waits until the accepting thread has ended.
    public func stop() async {
        let running = state.withLock { state in
            defer { state.stopping = true }
            return state.listener >= 0 && !state.stopping
        }
        guard running else { return }
        await withCheckedContinuation { continuation in
            let done = ended.withLock { ended in
                if !ended { acceptorEnded.withLock { $0 = continuation } }
                return ended
            }
            if done { continuation.resume() }
        }
    }

    private func acceptLoop(_ listener: Int32) {
        while !state.withLock({ $0.stopping }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            Thread.detachNewThread { [self] in serve(connection) }
        }
        close(listener)
        let waiting = ended.withLock { ended in
            ended = true
            return acceptorEnded.withLock { continuation in
                defer { continuation = nil }
                return continuation
            }
        }
        waiting?.resume()
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = read(connection) else { return }
        state.withLock { $0.requests.append(request) }
        let response = handler(request)
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        var headers = response.headers
        headers["Content-Length"] = String(response.body.count)
        headers["Connection"] = "close"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + (request.method == "HEAD" ? [] : response.body)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Self.noSignal) }
            guard written > 0 else { return }
            sent += written
        }
    }

    /// The request on `connection`, or `nil` when the client sent none (or garbage).
    private func read(_ connection: Int32) -> Request? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += buffer[..<count]
            headEnd = received.firstRange(of: separator)?.upperBound
            if headEnd == nil && received.count > 64 << 10 { return nil }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: received[..<(headEnd - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let words = lines[0].split(separator: " ")
        guard words.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard length <= 1 << 20 else { return nil }
        var body = Array(received[headEnd...])
        while body.count < length {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            body += buffer[..<count]
        }
        return Request(
            method: String(words[0]),
            target: String(words[1]),
            headers: headers,
            body: Array(body.prefix(length))
        )
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 307: "Temporary Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        default: "Status"
        }
    }

    #if canImport(Darwin)
    private static let streamType = SOCK_STREAM
    private static let noSignal: Int32 = 0
    #else
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #endif
}
