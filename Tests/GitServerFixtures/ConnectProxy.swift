import Foundation

/// A small HTTP proxy on 127.0.0.1 that only tunnels (`CONNECT host:port`,
/// as clients use for `https://` URLs) to `localhost` or `127.0.0.1`, and
/// logs one `CONNECT host:port` line per tunnel, so a test can prove that
/// traffic went through it. A tiny Python 3 script, started by the test,
/// that ends itself after `timeLimit` at the latest. Anything but CONNECT
/// is answered 405; another host, 403.
public final class ConnectProxy: Sendable {
    /// Holds the script and its log.
    public let directory: TemporaryDirectory
    private let timeLimit: Duration
    private let slot = ServerSlot()

    /// Why the proxy cannot run here (`python3` missing), or `nil`.
    public static var unavailableReason: String? {
        ExecutableLocator.find("python3") == nil ? "`python3` not found; install the Debian package `python3`" : nil
    }

    public init(timeLimit: Duration = .seconds(300)) throws {
        directory = try TemporaryDirectory(prefix: "giter-connect-proxy")
        self.timeLimit = timeLimit
    }

    /// The port it listens on, or `nil` when it is not running.
    public var port: Int? { slot.port }

    /// The proxy URL for clients: `http://127.0.0.1:PORT`.
    public func url() throws -> String {
        guard let port else { throw FixtureError("the proxy is not running") }
        return "http://127.0.0.1:\(port)"
    }

    /// The tunnels opened so far, as `host:port`.
    public var tunnels: [String] {
        slot.log.split(separator: "\n").filter { $0.hasPrefix("CONNECT ") }.map { String($0.dropFirst(8)) }
    }

    /// The proxy's log so far.
    public var log: String { slot.log }

    public func start() async throws {
        if port != nil { return }
        let python = try ExecutableLocator.require("python3", package: "python3")
        let script = directory.appending("connect_proxy.py")
        try Data(Self.script.utf8).write(to: script)
        let logFile = directory.appending("proxy.log")
        let seconds = String(max(1, timeLimit.components.seconds))
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LC_ALL": "C"]
        let started = try await ServerLauncher.start(name: "connect proxy") { port in
            try ServerProcess(
                name: "connect proxy", executable: python, arguments: ["-u", script.path, String(port), seconds],
                environment: environment, logFile: logFile)
        }
        await slot.adopt(started)
    }

    public func stop() async { await slot.stop() }

    /// Runs `body` with a started proxy and stops it afterwards.
    public static func with<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ConnectProxy) async throws -> Result
    ) async throws -> Result {
        let proxy = try ConnectProxy()
        let result: Result
        do {
            try await proxy.start()
            result = try await body(proxy)
        } catch {
            await proxy.stop()
            throw error
        }
        await proxy.stop()
        return result
    }

    static let script = #"""
        import signal, socket, sys, threading

        port, limit = int(sys.argv[1]), int(sys.argv[2])
        signal.alarm(limit)  # never outlive the test

        def pipe(source, target):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    target.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    target.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        def answer(client, status):
            client.sendall(("HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % status).encode())
            client.close()

        def handle(client):
            client.settimeout(30)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    data = client.recv(4096)
                    if not data or len(head) > 65536:
                        client.close()
                        return
                    head += data
            except OSError:
                client.close()
                return
            request, _, rest = head.partition(b"\r\n\r\n")
            words = request.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(words) != 3 or words[0] != "CONNECT":
                print("REFUSED " + " ".join(words[:2]), flush=True)
                return answer(client, "405 Method Not Allowed")
            host, _, target_port = words[1].rpartition(":")
            if host not in ("localhost", "127.0.0.1") or not target_port.isdigit():
                print("REFUSED " + words[1], flush=True)
                return answer(client, "403 Forbidden")
            try:
                upstream = socket.create_connection(("127.0.0.1", int(target_port)), timeout=10)
            except OSError:
                return answer(client, "502 Bad Gateway")
            print("CONNECT " + words[1], flush=True)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            client.settimeout(None)
            upstream.settimeout(None)
            back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
            back.start()
            pipe(client, upstream)
            back.join()
            client.close()
            upstream.close()

        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(64)
        while True:
            connection, _ = server.accept()
            threading.Thread(target=handle, args=(connection,), daemon=True).start()
        """#
}
