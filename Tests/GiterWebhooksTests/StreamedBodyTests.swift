import Foundation
import Giter
import GiterWebhooks
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A body sent in chunks, with no `Content-Length` to refuse it by: the
/// receiver stops at the bound while reading and answers 413.
@Suite(.timeLimit(.minutes(1)))
struct StreamedBodyTests {
    @Test func aChunkedBodyOverTheBoundIs413() async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        let status = try await withLiveReceiver(receiver) { server in
            try await Task.detached {
                try RawHTTP.postChunked(port: server.port, path: "/hooks/github", totalBytes: 2 << 20)
            }
            .value
        }
        #expect(status == 413)
        #expect(await hints.finish() == 0)
    }
}

/// HTTP/1.1 by hand over a blocking socket on loopback, with send and
/// receive timeouts (10 s) so that nothing here can hang.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Posts `totalBytes` of `{` in 64 KiB chunks with `Transfer-Encoding: chunked`
    /// (sending stops when the server closes) and returns the response's status code.
    static func postChunked(port: Int, path: String, totalBytes: Int) throws -> Int {
        #if canImport(Glibc)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(socket) }
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        let head =
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\nX-Hub-Signature-256: sha256=\(String(repeating: "0", count: 64))\r\n\r\n"
        guard sendAll(socket, Array(head.utf8)) else { throw Failure(description: "the request head was not sent") }
        let chunk = 64 << 10
        var sent = 0
        while sent < totalBytes {
            let frame =
                Array((String(chunk, radix: 16) + "\r\n").utf8) + Array(repeating: UInt8(ascii: "{"), count: chunk)
                + Array("\r\n".utf8)
            guard sendAll(socket, frame) else { break }  // the server answered and closed
            sent += chunk
        }
        _ = sendAll(socket, Array("0\r\n\r\n".utf8))
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !response.contains(UInt8(ascii: "\n")) {
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            response += buffer[..<count]
        }
        let line = String(decoding: response.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
            throw Failure(description: "no status line in '\(line)'")
        }
        return code
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
