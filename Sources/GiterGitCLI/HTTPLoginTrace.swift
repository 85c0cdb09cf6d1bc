import Foundation
import GiterLocalGit

/// What git's trace of an HTTP conversation (`GIT_TRACE_CURL`, headers
/// only) says about how it logged in: the schemes curl answered the
/// server's `401` with (its line `Server auth using SCHEME with user …`)
/// and whether any answer was a redirect (`3xx`). Proxy logins are not the
/// server's and are not counted.
///
/// Read from a file git wrote; over ``limit`` bytes, or unreadable, there
/// is no answer (nil), and nothing is learned from it.
struct HTTPLoginTrace: Equatable {
    /// The schemes the server was answered with, in order (`Basic`, `Digest`, `NTLM`, …).
    var schemes: [String] = []
    /// Whether a response was a redirect.
    var redirected = false

    /// The most bytes of trace read; a conversation that logs in once writes a few kilobytes.
    static let limit = 1 << 20

    init?(file: String) {
        guard let bytes = Platform.contents(of: file, limit: Self.limit) else { return nil }
        self.init(text: String(decoding: bytes, as: UTF8.self))
    }

    init(text: String) {
        for line in text.split(separator: "\n") {
            if let info = line.range(of: "== Info: ") {
                let message = line[info.upperBound...]
                let prefix = "Server auth using "
                if message.hasPrefix(prefix),
                    let scheme = message.dropFirst(prefix.count).split(separator: " ", maxSplits: 1).first
                {
                    schemes.append(String(scheme))
                }
            } else if let header = line.range(of: "<= Recv header: HTTP/") {
                let status = line[header.upperBound...].split(separator: " ", maxSplits: 2).dropFirst().first
                if let status, status.count == 3, status.first == "3" { redirected = true }
            }
        }
    }

    /// Whether git logged in to the server with Basic, never with another
    /// scheme, and was not redirected: a server that asks for Basic, to
    /// which sending the login with the first request gives away nothing
    /// git would not send once asked.
    var serverTookBasicAlone: Bool {
        !schemes.isEmpty && schemes.allSatisfy { $0 == "Basic" } && !redirected
    }
}
