import Giter
import GiterLocalGit

/// A `git://` remote the git CLI backend connects to itself and hands to
/// `git` as an open connection (`fd::3`), relayed by a ``SocketRelay`` with
/// Giter's socket options.
///
/// `git` sets no TCP options on its own connections, so each turn of a
/// `git://` conversation waits for the kernel's delayed acknowledgement
/// (40 ms on Linux; see `Documentation/Backends.md`). Through the relay the
/// same `git fetch` and `git push` speak the same protocol, to the same
/// server, over a socket with `TCP_NODELAY` and quick acknowledgements.
///
/// Only URLs whose meaning is plain are relayed: `git://HOST[:PORT]/PATH`
/// with a host of letters, digits, `.` and `-` (or an IPv6 address in
/// brackets), a decimal port, and a path with no `%` escape. Anything else
/// (a user part, escapes, `~` paths) is left to `git`'s own connect.
struct GitDaemonAddress: Equatable, Sendable {
    /// The host to connect to (an IPv6 address without its brackets).
    var host: String
    /// The port, `9418` when the URL gives none.
    var port: String
    /// The `host=` value of the request: the host and port as the URL wrote them.
    var hostHeader: String
    /// The repository's path on the server, from its first `/`.
    var path: String

    /// The address of `url`, or nil when it is not a plain `git://` URL.
    init?(url: String) {
        guard url.hasPrefix("git://") else { return nil }
        let rest = url.dropFirst("git://".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let authority = rest[..<slash]
        let path = rest[slash...]
        guard path.count > 1, path.utf8.count <= 4096, !path.hasPrefix("/~"),
            !path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "%") })
        else { return nil }
        var host: Substring
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return nil }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                port = after.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            guard !host.isEmpty,
                host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
            else { return nil }
            if parts.count == 2 { port = parts[1] }
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber),
                let number = Int(port), (1...65535).contains(number)
            else { return nil }
        }
        self.host = String(host)
        self.port = port.map(String.init) ?? "9418"
        self.hostHeader = String(authority)
        self.path = String(path)
    }

    /// The request `git daemon` reads first, as `git` writes it: one
    /// pkt-line of `<service> <path>\0host=<host>\0`, and for protocol v2
    /// (upload-pack only; receive-pack has no v2) `\0version=2\0`.
    func request(service: String, protocolVersion2: Bool) -> [UInt8] {
        var body = Array("\(service) \(path)".utf8) + [0] + Array("host=\(hostHeader)".utf8) + [0]
        if protocolVersion2 { body += [0] + Array("version=2".utf8) + [0] }
        let length = String(body.count + 4, radix: 16)
        return Array((String(repeating: "0", count: 4 - length.count) + length).utf8) + body
    }
}
