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
        // Each line: a time, git's source position (`http.c:684`), spaces, then curl's text. What a server
        // sent appears only after `<= Recv header: ` or `<= Recv data`, so a line counts only by how its
        // text starts; lines are split at LF alone (a CR in a header stays inside its line).
        for line in text.utf8.split(separator: 0x0A) {
            let fields = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count == 3 else { continue }
            let message = Substring(decoding: fields[2].drop { $0 == 0x20 }, as: UTF8.self)
            if message.hasPrefix(Self.serverLogin) {
                let scheme = message.dropFirst(Self.serverLogin.count).prefix { $0 != " " }
                schemes.append(String(scheme))
            } else if message.hasPrefix(Self.statusLine) {
                let status = message.dropFirst(Self.statusLine.count).split(separator: " ", maxSplits: 2).dropFirst().first
                if let status, status.count == 3, status.first == "3" { redirected = true }
            }
        }
    }

    private static let serverLogin = "== Info: Server auth using "
    private static let statusLine = "<= Recv header: HTTP/"

    /// Whether the conversation logged in to the server or was redirected:
    /// something to learn from, where a conversation that needed no login
    /// says nothing about the scheme.
    var saysSomething: Bool { !schemes.isEmpty || redirected }

    /// Whether git logged in to the server with Basic, never with another
    /// scheme, and was not redirected: a server that asks for Basic, to
    /// which sending the login with the first request gives away nothing
    /// git would not send once asked.
    var serverTookBasicAlone: Bool {
        !schemes.isEmpty && schemes.allSatisfy { $0 == "Basic" } && !redirected
    }
}
