import CLibGit2
import Foundation
import GitServerFixtures
import Giter
@testable import GiterLibGit2
import Synchronization
import Testing

/// Giter's replacement for libgit2's plain TCP stream: the stream itself,
/// driven as libgit2 drives it, and libgit2's transports going through it.
@Suite("libgit2's socket stream", .serialized, .timeLimit(.minutes(3)))
struct SocketStreamTests {
    @Test("a stream connects with TCP_NODELAY, carries bytes both ways and closes")
    func aStreamConnectsWithoutNagleAndCarriesBytes() throws {
        try LibGit2.initialize()
        let listener = try LoopbackListener()
        let stream = try #require(SocketStream.makeStream(host: "127.0.0.1", port: String(listener.port)))
        defer { stream.pointee.free(stream) }
        #expect(stream.pointee.version == GIT_STREAM_VERSION)
        #expect(stream.pointee.close(stream) == 0, "closing before connecting is harmless, as with libgit2's stream")
        try #require(stream.pointee.connect(stream) == 0)
        let socket = container(stream).pointee.socket
        #expect(socket >= 0)
        #expect(tcpOption(socket, TCP_NODELAY) == true, "the stream's socket waits for acknowledgements before small writes (Nagle)")

        let server = try listener.accept()
        defer { close(server) }
        let request = Array("0009done\n".utf8)
        #expect(write(request, to: stream) == request.count)
        var received = [UInt8](repeating: 0, count: 64)
        let got = recv(server, &received, received.count, 0)
        #expect(Array(received.prefix(max(got, 0))) == request)

        // Request and answer, as a negotiation goes: the kernel would switch
        // such a connection to delayed acknowledgements; every read asks for
        // quick ones again.
        for round in 0..<4 {
            let answer = Array("0038ACK \(round) common\n".utf8)
            #expect(send(server, answer, answer.count, 0) == answer.count)
            var buffer = [UInt8](repeating: 0, count: 64)
            let read = buffer.withUnsafeMutableBytes { stream.pointee.read(stream, $0.baseAddress, $0.count) }
            #expect(Array(buffer.prefix(max(read, 0))) == answer)
            #if os(Linux)
            #expect(tcpOption(socket, Int32(TCP_QUICKACK)) == true, "round \(round): the stream's reads leave acknowledgements delayed")
            #endif
            let more = Array("0032have \(round)\n".utf8)
            #expect(write(more, to: stream) == more.count)
            #expect(recv(server, &received, received.count, 0) == more.count)
        }

        #expect(stream.pointee.close(stream) == 0)
        #expect(container(stream).pointee.socket == -1)
        #expect(stream.pointee.close(stream) == 0, "closing twice is harmless, as with libgit2's stream")
    }

    @Test("a refused connection and an unknown host fail with libgit2's words")
    func failuresAreLibgit2Errors() throws {
        try LibGit2.initialize()
        let refused = try #require(SocketStream.makeStream(host: "127.0.0.1", port: String(try closedPort())))
        defer { refused.pointee.free(refused) }
        #expect(refused.pointee.connect(refused) == -1)
        #expect(lastError()?.message == "failed to connect to 127.0.0.1: Connection refused")
        #expect(lastError()?.errorClass == Int32(GIT_ERROR_OS.rawValue))
        #expect(container(refused).pointee.socket == -1)

        let unknown = try #require(SocketStream.makeStream(host: "giter-no-such-host.invalid", port: "9418"))
        defer { unknown.pointee.free(unknown) }
        #expect(unknown.pointee.connect(unknown) == -1)
        #expect(lastError()?.message.hasPrefix("failed to resolve address for giter-no-such-host.invalid: ") == true)
        #expect(lastError()?.errorClass == Int32(GIT_ERROR_NET.rawValue))
    }

    /// Each network transport fetches and pushes through the stream; the
    /// SSH transport hands the stream's socket to libssh2, which proves the
    /// layout.
    @Test(
        "git://, http:// and ssh:// conversations of libgit2 open their connections through it",
        arguments: [RemoteKind.gitDaemon, .smartHTTP, .ssh])
    func libgit2ConnectsThroughIt(kind: RemoteKind) async throws {
        try await withRemote(kind, seeded: true) { remote in
            let port = try #require(remote.server?.port)
            let seen = observeConnections()
            defer { SocketStream.connectionObserver.withLock { $0 = nil } }
            let transport = try await remote.open(.libgit2, mirror: "stream")
            let seed = try #require(try await transport.fetch())
            let commit = try await transport.createCommit(
                CommitRequest(
                    parent: seed, edits: [.write(path: "ns/a.yaml", contents: Array("a: 1\n".utf8))], author: testAuthor,
                    message: "Through the stream"))
            #expect(try await transport.push(commit, expecting: seed) == .pushed(commit))
            #expect(try await remote.repository.resolve("refs/heads/main") == commit.hex)
            let connections = seen.entries.filter { $0 == "127.0.0.1:\(port)" }
            #expect(connections.count >= 2, "the fetch and the push connect through the stream: \(seen.entries)")
        }
    }

    @Test("a host app can give libgit2 its own stream back, and Giter's can be registered again")
    func libgit2sOwnStreamCanComeBack() async throws {
        try await withRemote(.gitDaemon, seeded: true) { remote in
            let port = try #require(remote.server?.port)
            let seen = observeConnections()
            defer {
                SocketStream.connectionObserver.withLock { $0 = nil }
                // Whatever happens, the rest of this process keeps Giter's stream.
                _ = SocketStream.register()
            }
            try LibGit2Transport.useLibGit2SocketStream()
            let transport = try await remote.open(.libgit2, mirror: "own-stream")
            #expect(try await transport.fetch() != nil)
            #expect(seen.entries.filter { $0 == "127.0.0.1:\(port)" }.isEmpty)

            #expect(SocketStream.register() == 0)
            #expect(try await transport.remoteTip() != nil)
            #expect(seen.entries.filter { $0 == "127.0.0.1:\(port)" }.count == 1)
        }
    }

    /// Writes `bytes` through the stream as libgit2 does; what `write` returned.
    private func write(_ bytes: [UInt8], to stream: UnsafeMutablePointer<git_stream>) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            stream.pointee.write(
                stream, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buffer.count, 0)
        }
    }

    /// Starts recording "host:port" of each connection the stream opens; the
    /// caller clears ``SocketStream/connectionObserver`` when done.
    private func observeConnections() -> ConnectionLog {
        let seen = ConnectionLog()
        SocketStream.connectionObserver.withLock { observer in
            observer = { host, port in seen.append("\(host):\(port)") }
        }
        return seen
    }

    private func container(_ stream: UnsafeMutablePointer<git_stream>) -> UnsafeMutablePointer<giter_socket_stream> {
        UnsafeMutableRawPointer(stream).assumingMemoryBound(to: giter_socket_stream.self)
    }

    private func lastError() -> (message: String, errorClass: Int32)? {
        git_error_last().flatMap { error in error.pointee.message.map { (String(cString: $0), error.pointee.klass) } }
    }
}

/// Whether the TCP option `name` is on for `socket` (Darwin reports an
/// option that is on as its flag bit, not 1); nil when it cannot be read.
func tcpOption(_ socket: Int32, _ name: Int32) -> Bool? {
    var value: Int32 = 0
    var size = socklen_t(MemoryLayout<Int32>.size)
    return getsockopt(socket, Int32(IPPROTO_TCP), name, &value, &size) == 0 ? value != 0 : nil
}

/// The "host:port" of each connection, in order.
final class ConnectionLog: Sendable {
    private let log = Mutex<[String]>([])
    func append(_ entry: String) { log.withLock { $0.append(entry) } }
    var entries: [String] { log.withLock { $0 } }
}

/// A listening TCP socket on 127.0.0.1 with a port of its own.
final class LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound, listen(descriptor, 1) == 0 else {
            close(descriptor)
            throw TransportError(.backend, "cannot listen on a loopback port")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// The connection made to the listener (already queued: `connect` returned).
    func accept() throws -> Int32 {
        let connection = Foundation.accept(descriptor, nil, nil)
        guard connection >= 0 else { throw TransportError(.backend, "accept failed: errno \(errno)") }
        return connection
    }

    deinit { close(descriptor) }
}
