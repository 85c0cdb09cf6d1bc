import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
import GiterLocalGit
import Synchronization
import Testing

/// The git CLI backend's `git://` conversations: Giter connects to the
/// server itself, with its socket options, and hands the connection to
/// `git` as `fd::3` (``GitDaemonAddress``, ``SocketRelay``).
@Suite("The git CLI's relay to git daemon", .serialized, .timeLimit(.minutes(3)))
struct DaemonRelayTests {
    // MARK: Addresses and the request line

    @Test("plain git:// URLs are relayed with git's own request line; anything unusual is left to git")
    func addresses() throws {
        let plain = try #require(GitDaemonAddress(url: "git://127.0.0.1:9418/exchange.git"))
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == "9418")
        #expect(plain.hostHeader == "127.0.0.1:9418")
        #expect(plain.path == "/exchange.git")
        // What git 2.39 writes first for `git ls-remote` and `git push` to git://127.0.0.1:9418/exchange.git (read by a listener).
        #expect(
            plain.request(service: "git-upload-pack", protocolVersion2: true)
                == Array("0041git-upload-pack /exchange.git\0host=127.0.0.1:9418\0\0version=2\0".utf8))
        #expect(
            plain.request(service: "git-receive-pack", protocolVersion2: false)
                == Array("0037git-receive-pack /exchange.git\0host=127.0.0.1:9418\0".utf8))

        let noPort = try #require(GitDaemonAddress(url: "git://git.example.com/team/a.git"))
        #expect(noPort.port == "9418")
        #expect(noPort.hostHeader == "git.example.com", "git names the host as the URL wrote it")
        let v6 = try #require(GitDaemonAddress(url: "git://[::1]:1234/r"))
        #expect(v6.host == "::1")
        #expect(v6.port == "1234")
        #expect(v6.hostHeader == "[::1]:1234")

        for url in [
            "https://example.com/r.git", "git://example.com", "git://example.com/", "git://user@example.com/r",
            "git://example.com/~alice/r.git", "git://example.com/r%20s.git", "git://example.com:0/r",
            "git://example.com:99999/r", "git://example.com:x/r", "git://[::1/r", "git://[zz]/r", "git://ex ample/r",
            "git://example.com/r\n.git", "git://example.com/" + String(repeating: "a", count: 5000),
        ] {
            #expect(GitDaemonAddress(url: url) == nil, "\(url) should be left to git's own connect")
        }
    }

    // MARK: The relay

    @Test("the relay sends the greeting first, carries rounds both ways on a socket without stalls, and half-closes")
    func aRelayCarriesAConversation() async throws {
        let listener = try LoopbackListener()
        let seen = SeenSocket()
        let listenerPort = String(listener.port)
        SocketRelay.connectionObserver.withLock { observer in
            observer = { socket, _, port in if port == listenerPort { seen.set(socket) } }
        }
        defer { SocketRelay.connectionObserver.withLock { $0 = nil } }
        let greeting = Array("0013hello relay\n".utf8)
        let relay = try SocketRelay(host: "127.0.0.1", port: String(listener.port), greeting: greeting, connectLimit: 5000, ioLimit: 5000)
        defer { relay.finish() }
        let server = try listener.accept()
        defer { close(server) }
        #expect(try receive(greeting.count, from: server) == greeting, "the greeting comes before anything of the process")
        // The relay reports its connection before it sends the greeting, which the server has read.
        let socket = try #require(seen.value, "the relay reported no connection")
        #expect(tcpOption(socket, TCP_NODELAY) == true, "the relay's socket waits for acknowledgements before small writes (Nagle)")

        for round in 0..<4 {
            let request = Array("0012have \(round) ok\n".utf8)
            try send(request, to: relay.localEnd)
            #expect(try receive(request.count, from: server) == request, "round \(round): to the server")
            let answer = Array("0011ACK \(round) ok\n".utf8)
            try send(answer, to: server)
            #expect(try receive(answer.count, from: relay.localEnd) == answer, "round \(round): to the process")
            #if os(Linux)
            #expect(tcpOption(socket, Int32(TCP_QUICKACK)) == true, "round \(round): the relay's reads leave acknowledgements delayed")
            #endif
        }

        // The process has said all it will: the server sees the end, and can still answer.
        #expect(shutdown(relay.localEnd, Int32(SHUT_WR)) == 0)
        #expect(try receive(1, from: server).isEmpty, "the server sees the end of the request")
        let last = Array("0009pack\n".utf8)
        try send(last, to: server)
        #expect(try receive(last.count, from: relay.localEnd) == last, "what the server says after the half close arrives")
        close(server)
        #expect(try receive(1, from: relay.localEnd).isEmpty, "the server's end reaches the process")
        #expect(relay.failure == nil)
    }

    @Test("a refused connection is recorded and the process sees the server hang up")
    func aRefusedConnection() async throws {
        let port = try closedPort()
        let relay = try SocketRelay(host: "127.0.0.1", port: String(port), greeting: [0x30], connectLimit: 5000, ioLimit: 5000)
        defer { relay.finish() }
        #expect(try receive(1, from: relay.localEnd).isEmpty)
        // The relay records why before it closes its end, which the process has seen.
        let failure = try #require(relay.failure)
        #expect(failure.reason == "Connection refused")
        #expect(!failure.resolving)
    }

    @Test("finish ends a relay to a server that says nothing, the relay closes its sockets, and a second finish is harmless")
    func finishEndsASilentConversation() async throws {
        let listener = try LoopbackListener()
        for _ in 0..<3 {
            let relay = try SocketRelay(host: "127.0.0.1", port: String(listener.port), greeting: [0x30], connectLimit: 5000, ioLimit: 0)
            let server = try listener.accept()
            defer { close(server) }
            #expect(try receive(1, from: server) == [0x30])
            #expect(!relay.hasClosedItsSockets)
            relay.finish()
            #expect(try receive(1, from: server).isEmpty, "the server sees the end")
            relay.finish()
            try await withDeadline(.seconds(30)) { await relay.ended() }
            #expect(relay.hasClosedItsSockets)
        }
    }

    // MARK: Through the git CLI

    @Test("fetch, push, listing and lease refs of the git CLI over git:// go through the relay")
    func theGitCLIConversesThroughTheRelay() async throws {
        try await withRemote(.gitDaemon, seeded: true) { remote in
            let transport = try await GitCLITransport(configuration: remote.configuration(mirror: "relay"))
            let seed = try #require(try await transport.fetch())
            #expect(transport.daemonRelays.value == 1)
            #expect(try await transport.resolve("refs/remotes/origin/main") == seed)

            let commit = try await transport.createCommit(
                CommitRequest(
                    parent: seed, edits: [.write(path: "ns/a.yaml", contents: fileContents("a: 1\n"))], author: testAuthor,
                    message: "Through the relay"))
            #expect(try await transport.push(commit, expecting: seed) == .pushed(commit))
            #expect(transport.daemonRelays.value == 2)
            #expect(try await remote.repository.resolve("refs/heads/main") == commit.hex)
            #expect(
                try await transport.resolve("refs/remotes/origin/main") == commit,
                "a relayed push moves the tracking ref (git does not: fd::3 is no remote of the mirror's)")
            // A stale lease is refused by the server, through the relay too.
            let other = try await transport.createCommit(
                CommitRequest(
                    parent: seed, edits: [.write(path: "ns/b.yaml", contents: fileContents("b: 1\n"))], author: testAuthor,
                    message: "Stale"))
            let refused = try await transport.push(other, expecting: seed)
            #expect(refused != .pushed(other))
            #expect(try await remote.repository.resolve("refs/heads/main") == commit.hex)
            #expect(try await transport.resolve("refs/remotes/origin/main") == commit)

            // Another client's push, fetched through the relay.
            let writer = try await GitCLITransport(configuration: remote.configuration(mirror: "writer"))
            let base = try #require(try await writer.fetch())
            let next = try await writer.createCommit(
                CommitRequest(
                    parent: base, edits: [.write(path: "ns/c.yaml", contents: fileContents("c: 1\n"))], author: testAuthor,
                    message: "From another client"))
            #expect(try await writer.push(next, expecting: base) == .pushed(next))
            #expect(try await transport.fetch() == next)

            let lease = try RemoteReferenceName.lease("relay")
            #expect(try await transport.pushReference(lease, to: next, expecting: nil) == .pushed(next))
            #expect(try await writer.fetchReference(lease) == next)
            #expect(try await transport.listReferences(under: ["refs/giter/"]) == [lease.rawValue: next])
            #expect(transport.daemonRelays.value == 6, "every network command of the transport went through the relay")
        }
    }

    @Test("a partial mirror and a URL git must read itself are not relayed")
    func whatIsNotRelayed() async throws {
        let scratch = try TemporaryDirectory()
        let partial = try await GitCLITransport(
            configuration: RemoteConfiguration(
                url: "git://127.0.0.1:9418/r.git", mirrorPath: scratch.url.appendingPathComponent("partial").path,
                blobFetch: .onDemand))
        #expect(partial.daemonAddress == nil, "a partial mirror's fetches need the remote's name")
        let escaped = try await GitCLITransport(
            configuration: RemoteConfiguration(
                url: "git://127.0.0.1:9418/a%20b.git", mirrorPath: scratch.url.appendingPathComponent("escaped").path))
        #expect(escaped.daemonAddress == nil)
        let plain = try await GitCLITransport(
            configuration: RemoteConfiguration(
                url: "git://127.0.0.1:9418/r.git", mirrorPath: scratch.url.appendingPathComponent("plain").path))
        #expect(plain.daemonAddress?.path == "/r.git")
    }

    @Test("a server that is not there is unreachable, and one that says nothing ends at the time limit")
    func failuresThroughTheRelay() async throws {
        let scratch = try TemporaryDirectory()
        let refused = RemoteConfiguration(
            url: "git://127.0.0.1:\(try closedPort())/r.git", mirrorPath: scratch.url.appendingPathComponent("a").path,
            networkTimeLimit: .seconds(20))
        let transport = try await GitCLITransport(configuration: refused)
        do {
            _ = try await transport.fetch()
            Issue.record("a fetch from a closed port succeeded")
        } catch let error as TransportError {
            #expect(error.code == .unreachable)
            #expect(error.message.contains("Connection refused"), "\(error.message)")
        }
        #expect(transport.daemonRelays.value == 1)

        let listener = try LoopbackListener()
        let silent = RemoteConfiguration(
            url: "git://127.0.0.1:\(listener.port)/r.git", mirrorPath: scratch.url.appendingPathComponent("b").path,
            networkTimeLimit: .seconds(2))
        let quiet = try await GitCLITransport(configuration: silent)
        let start = ContinuousClock.now
        do {
            _ = try await quiet.fetch()
            Issue.record("a fetch from a server that says nothing succeeded")
        } catch let error as TransportError {
            #expect(error.code == .timedOut, "\(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(60), "the conversation ends near its limit, not never")
    }

    // MARK: Helpers

    private func send(_ bytes: [UInt8], to descriptor: Int32) throws {
        guard Foundation.send(descriptor, bytes, bytes.count, 0) == bytes.count else {
            throw TransportError(.backend, "send failed: errno \(errno)")
        }
    }

    /// Reads exactly `count` bytes, or fewer when the peer ends; a read of
    /// more than 10 s fails.
    private func receive(_ count: Int, from descriptor: Int32) throws -> [UInt8] {
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while bytes.count < count {
            let read = recv(descriptor, &buffer, count - bytes.count, 0)
            if read == 0 { break }
            guard read > 0 else { throw TransportError(.backend, "recv failed: errno \(errno)") }
            bytes += buffer.prefix(read)
        }
        return bytes
    }
}

/// The server socket a relay reported.
private final class SeenSocket: Sendable {
    private let socket = Mutex<Int32?>(nil)
    func set(_ value: Int32) { socket.withLock { $0 = value } }
    var value: Int32? { socket.withLock { $0 } }
}
