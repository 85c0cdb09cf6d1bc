import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The host keys of an OpenSSH `known_hosts` file, and the verdict for a
/// key a server presents.
///
/// Lines are `host[,host…] keytype base64 [comment]`, where a host is
/// `name` (port 22) or `[name]:port`, or hashed (`|1|salt|hash`, as
/// `HashKnownHosts yes` writes them, the Debian and Ubuntu default: the
/// hash is HMAC-SHA1 of the name keyed with the salt, both base64).
/// `@cert-authority` lines and wildcard patterns are skipped; a matching
/// `@revoked` line refuses the key.
struct KnownHosts {
    enum Verdict: Equatable {
        /// The file lists this key for the host.
        case known
        /// The file has no key of this type for the host.
        case unknown
        /// The file lists a different key of this type for the host (or revokes this one).
        case changed
    }

    private struct Line {
        var patterns: [String]
        /// `(salt, hash)` of a hashed entry.
        var hashed: (salt: [UInt8], hash: [UInt8])?
        var keyType: String
        var key: [UInt8]
        var revoked: Bool

        /// Whether the line is for the host named `name` (`host` or `[host]:port`).
        func names(_ name: String) -> Bool {
            if let hashed { return KnownHosts.hashedName(name, salt: hashed.salt) == hashed.hash }
            return patterns.contains(name)
        }
    }

    private var lines: [Line] = []

    /// Reads `path`; a missing file reads as empty.
    init(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let text = String(decoding: data, as: UTF8.self)
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var revoked = false
            if first.hasPrefix("@") {
                guard first == "@revoked" else { continue }
                revoked = true
                fields.removeFirst()
            }
            guard fields.count >= 3, let key = Data(base64Encoded: fields[2]) else { continue }
            if fields[0].hasPrefix("|") {
                // |1|salt|hash: one hashed name per line.
                let parts = fields[0].split(separator: "|", omittingEmptySubsequences: false)
                guard parts.count == 4, parts[1] == "1", let salt = Data(base64Encoded: String(parts[2])),
                    let hash = Data(base64Encoded: String(parts[3])), hash.count == Insecure.SHA1.byteCount
                else { continue }
                lines.append(
                    Line(patterns: [], hashed: (Array(salt), Array(hash)), keyType: fields[1], key: Array(key), revoked: revoked))
                continue
            }
            lines.append(
                Line(
                    patterns: fields[0].split(separator: ",").map(String.init), hashed: nil, keyType: fields[1],
                    key: Array(key), revoked: revoked)
            )
        }
    }

    /// The name a host has in the file: `host` for port 22, `[host]:port` otherwise.
    static func entryName(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// Whether the file vouches for `key` of type `keyType` at `host`/`port`.
    func verdict(host: String, port: Int, keyType: String, key: [UInt8]) -> Verdict {
        let name = Self.entryName(host: host, port: port)
        var sawType = false
        var sawMatch = false
        for line in lines where line.keyType == keyType && line.names(name) {
            if line.key == key {
                if line.revoked { return .changed }
                sawMatch = true
            } else if !line.revoked {
                sawType = true
            }
        }
        if sawMatch { return .known }
        return sawType ? .changed : .unknown
    }

    /// HMAC-SHA1 of `name` keyed with `salt`: the hash of a `|1|salt|hash` entry.
    static func hashedName(_ name: String, salt: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: Array(name.utf8), using: SymmetricKey(data: salt)))
    }

    /// The OpenSSH name of a libgit2 raw host key type (`GIT_CERT_SSH_RAW_TYPE_*`).
    static func keyTypeName(rawType: UInt32) -> String? {
        switch rawType {
        case 1: "ssh-rsa"
        case 2: "ssh-dss"
        case 3: "ecdsa-sha2-nistp256"
        case 4: "ecdsa-sha2-nistp384"
        case 5: "ecdsa-sha2-nistp521"
        case 6: "ssh-ed25519"
        default: nil
        }
    }

    /// The port an SSH URL names: `ssh://[user@]host[:port]/path` or
    /// `user@host:path` (port 22).
    static func port(ofURL url: String) -> Int {
        guard url.hasPrefix("ssh://") || url.hasPrefix("ssh+git://") || url.hasPrefix("git+ssh://") else { return 22 }
        guard let schemeEnd = url.firstRange(of: "://") else { return 22 }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let hostPort = authority.split(separator: "@").last ?? authority
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return 22 }
            let after = hostPort[hostPort.index(after: close)...]
            return after.hasPrefix(":") ? Int(after.dropFirst()) ?? 22 : 22
        }
        guard let colon = hostPort.lastIndex(of: ":") else { return 22 }
        return Int(hostPort[hostPort.index(after: colon)...]) ?? 22
    }
}
