import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment and who runs it.
enum Environment {
    /// The value of an environment variable, `nil` when unset or empty.
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The login name: `$USER`, `$LOGNAME`, else `user`.
    static var userName: String { value("USER") ?? value("LOGNAME") ?? "user" }

    /// The host name, else `localhost`.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

/// Local paths given for remotes and folders.
enum LocalPath {
    /// Whether `url` names a repository on this machine: a path or `file://`.
    static func isLocal(_ url: String) -> Bool {
        if url.hasPrefix("file://") { return true }
        if url.contains("://") { return false }
        // scp-like `host:path` (but not `./a:b` or `/a:b`)
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return false }
        return true
    }

    /// `url` without a `file://` prefix.
    static func stripFileScheme(_ url: String) -> String {
        url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
    }

    /// `path` made absolute against the current directory, `~/` expanded,
    /// `.` and `..` components resolved, no trailing slash.
    static func absolute(_ path: String) -> String {
        var full = path
        if full == "~" || full.hasPrefix("~/"), let home = Environment.value("HOME") {
            full = home + full.dropFirst()
        } else if !full.hasPrefix("/") {
            full = FileManager.default.currentDirectoryPath + "/" + full
        }
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
