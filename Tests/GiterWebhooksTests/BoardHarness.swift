import Foundation
import GitServerFixtures
import Giter
import GiterWebhooks
import HummingbirdCore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``BoardSource`` with fixed answers.
struct FixedBoardSource: BoardSource {
    var overviewAnswer: BoardOverview
    var resources: [ResourceKey: BoardResource] = [:]

    func overview() async throws -> BoardOverview { overviewAnswer }
    func resource(_ key: ResourceKey) async throws -> BoardResource? { resources[key] }
}

/// Serves `board` on a free loopback port, runs `body` with the port, then
/// shuts the server down gracefully; all within `limit`.
func withLiveBoard<Source: BoardSource, T: Sendable>(
    _ board: Board<Source>,
    limit: Duration = .seconds(60),
    _ body: @escaping @Sendable (Int) async throws -> T
) async throws -> T {
    let (ports, portInput) = AsyncStream.makeStream(of: Int?.self)
    let application = board.application(address: .hostname("127.0.0.1", port: 0)) { portInput.yield($0) }
    var logger = Logger(label: "giter.test.board")
    logger.logLevel = .error
    let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
    return try await withDeadline(limit) {
        try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                defer { portInput.finish() }
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let first = await iterator.next(), let port = first else { throw ServerDidNotStart() }
            let value = try await body(port)
            await group.triggerGracefulShutdown()
            while try await tasks.next() != nil {}
            return value
        }
    }
}

/// One HTTP/1.1 connection on loopback, read as it comes: a plain `GET`
/// read to its end, or an event stream read up to what the test awaits.
/// Every blocking call runs on a thread of its own, with 10 s socket timeouts.
final class LoopbackConnection: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A response's status line, header fields (names lowercased) and body.
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    private let socket: Int32
    private let received = Mutex<[UInt8]>([])

    /// Connects and sends `method path`.
    init(port: Int, method: String = "GET", path: String, host: String = "127.0.0.1") async throws {
        socket = try await Self.blocking { try Self.connect(port: port) }
        let request =
            "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        let socket = self.socket
        let sent = try await Self.blocking { Self.sendAll(socket, Array(request.utf8)) }
        guard sent else { throw Failure(description: "cannot send the request") }
    }

    deinit { close(socket) }

    /// Reads until what was received contains `text`; returns all received so far.
    ///
    /// - Throws: ``Failure`` when the server closes or 10 s pass first.
    func read(until text: String) async throws -> String {
        while true {
            let sofar = received.withLock { String(decoding: $0, as: UTF8.self) }
            if sofar.contains(text) { return sofar }
            guard try await receive() else {
                throw Failure(description: "closed before '\(text)'; received: \(sofar)")
            }
        }
    }

    /// Reads to the server's close and parses the response.
    func readToEnd() async throws -> Response {
        while try await receive() {}
        let bytes = received.withLock { $0 }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { throw Failure(description: "no response head: \(text)") }
        let head = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let parts = head[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "no status: \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2 { headers[pair[0].lowercased()] = pair[1].trimmingCharacters(in: .whitespaces) }
        }
        var body = String(text[end.upperBound...])
        if headers["transfer-encoding"] == "chunked" { body = Self.unchunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    /// `GET path` on a new connection, read to its end.
    static func get(port: Int, _ path: String, method: String = "GET", host: String = "127.0.0.1") async throws
        -> Response
    {
        try await LoopbackConnection(port: port, method: method, path: path, host: host).readToEnd()
    }

    /// One `recv`; false at the end of the stream.
    private func receive() async throws -> Bool {
        let socket = self.socket
        let chunk = try await Self.blocking { () throws -> [UInt8] in
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 { throw Failure(description: "recv: errno \(errno) (a timeout is 11)") }
            return Array(buffer[..<count])
        }
        received.withLock { $0 += chunk }
        return !chunk.isEmpty
    }

    private static func unchunk(_ body: String) -> String {
        var result = ""
        var rest = Substring(body)
        while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
            let start = line.upperBound
            let bytes = rest[start...].utf8.prefix(size)
            result += String(decoding: bytes, as: UTF8.self)
            rest = rest[rest.utf8.index(start, offsetBy: min(size, rest[start...].utf8.count))...]
            if rest.hasPrefix("\r\n") { rest = rest.dropFirst(2) }
        }
        return result
    }

    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    private static func connect(port: Int) throws -> Int32 {
        #if canImport(Glibc)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
        return socket
    }

    private static func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
