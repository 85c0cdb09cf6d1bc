import Foundation
import HTTPTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTP/1.1 by hand over a socket on loopback: the tests' client, so that
/// they need no HTTP client library (and CI builds none).
///
/// Each exchange runs on a thread of its own (never a shared pool, which
/// the server's handlers need), on one connection closed after the
/// response, with send and receive timeouts of 10 s so nothing can hang.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A response: its status and body.
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends `method path` with `headers` and `body` (with its `Content-Length`).
    static func request(
        port: Int, method: String, path: String, headers: HTTPFields = [:], body: [UInt8] = []
    ) async throws -> Answer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for field in headers where field.name != .contentLength {
            head += "\(field.name.rawName): \(field.value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return try await exchange(port: port, parts: [Array(head.utf8), body])
    }

    /// Posts `totalBytes` of `{` in 64 KiB chunks with `Transfer-Encoding: chunked`
    /// and no `Content-Length` (sending stops when the server closes).
    static func postChunked(port: Int, path: String, headers: HTTPFields, totalBytes: Int) async throws -> Answer {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
        for field in headers where field.name != .contentLength {
            head += "\(field.name.rawName): \(field.value)\r\n"
        }
        head += "\r\n"
        let size = 64 << 10
        let frame =
            Array((String(size, radix: 16) + "\r\n").utf8) + Array(repeating: UInt8(ascii: "{"), count: size)
            + Array("\r\n".utf8)
        let frames = Array(repeating: frame, count: (totalBytes + size - 1) / size)
        return try await exchange(port: port, parts: [Array(head.utf8)] + frames + [Array("0\r\n\r\n".utf8)])
    }

    private static func exchange(port: Int, parts: [[UInt8]]) async throws -> Answer {
        // A thread of its own: a blocked worker of Dispatch's shared pool could starve the
        // executor the server's handlers run on.
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try blockingExchange(port: port, parts: parts) })
            }
            thread.start()
        }
    }

    private static func blockingExchange(port: Int, parts: [[UInt8]]) throws -> Answer {
        #if canImport(Glibc)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port): errno \(errno)") }
        for part in parts {
            // The server may answer (413) and close before all is sent: then read its answer.
            guard sendAll(socket, part) else { break }
        }
        // The whole response, to the server's close (Connection: close), at most 16 MiB.
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while response.count < 16 << 20 {
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            response += buffer[..<count]
        }
        return try parse(response)
    }

    private static func parse(_ response: [UInt8]) throws -> Answer {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = response.indices.first(where: { response[$0...].starts(with: separator) }) else {
            throw Failure(description: "no complete response head in \(response.count) bytes")
        }
        let head = String(decoding: response[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let code = Int(statusParts[1]) else {
            throw Failure(description: "no status line in '\(head[0])'")
        }
        var body = Array(response[(end + separator.count)...])
        for line in head.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "content-length",
                let length = Int(pair[1].trimmingCharacters(in: .whitespaces)), length <= body.count
            {
                body = Array(body.prefix(length))
            }
        }
        return Answer(status: HTTPResponse.Status(code: code), body: body)
    }

    /// Sends all of `bytes`; false once the peer closed or a timeout passed.
    private static func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                #if canImport(Glibc)
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                #else
                Darwin.send(socket, $0.baseAddress, $0.count, 0)
                #endif
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
