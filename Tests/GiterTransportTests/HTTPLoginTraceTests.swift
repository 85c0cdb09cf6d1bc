import Foundation
import GitServerFixtures
@testable import GiterGitCLI
import Testing

/// Reading git's trace of an HTTP conversation (`GIT_TRACE_CURL`) for the
/// scheme it logged in with: lines as git 2.39 with curl 7.88 writes them.
@Suite("HTTPLoginTrace")
struct HTTPLoginTraceTests {
    static func line(_ text: String) -> String { "17:57:11.525158 http.c:684              " + text }

    static let challenge = [
        line("=> Send header: GET /r.git/info/refs?service=git-upload-pack HTTP/1.1"),
        line("<= Recv header: HTTP/1.1 401 Unauthorized"),
        line("<= Recv header: WWW-Authenticate: Basic realm=\"x\""),
        line("== Info: Issue another request to this URL: 'http://127.0.0.1:8765/r.git/info/refs?service=git-upload-pack'"),
    ]

    @Test func basicAloneIsLearned() {
        let trace = HTTPLoginTrace(text: (Self.challenge + [
            Self.line("== Info: Server auth using Basic with user 'giter'"),
            Self.line("=> Send header: Authorization: Basic <redacted>"),
            Self.line("<= Recv header: HTTP/1.1 200 OK"),
            Self.line("== Info: Server auth using Basic with user 'giter'"),
        ]).joined(separator: "\n"))
        #expect(trace.schemes == ["Basic", "Basic"] && !trace.redirected)
        #expect(trace.serverTookBasicAlone)
    }

    @Test func anotherSchemeARedirectOrNoLoginTeachesNothing() {
        let digest = HTTPLoginTrace(text: (Self.challenge + [
            Self.line("== Info: Server auth using Digest with user 'giter'"),
            Self.line("<= Recv header: HTTP/1.1 200 OK"),
        ]).joined(separator: "\n"))
        #expect(digest.schemes == ["Digest"])
        #expect(!digest.serverTookBasicAlone)

        let mixed = HTTPLoginTrace(text: [
            Self.line("== Info: Server auth using Basic with user 'giter'"),
            Self.line("== Info: Server auth using NTLM with user 'giter'"),
        ].joined(separator: "\n"))
        #expect(!mixed.serverTookBasicAlone)

        let redirected = HTTPLoginTrace(text: [
            Self.line("<= Recv header: HTTP/1.1 301 Moved Permanently"),
            Self.line("== Info: Server auth using Basic with user 'giter'"),
            Self.line("<= Recv header: HTTP/2 200"),
        ].joined(separator: "\n"))
        #expect(redirected.redirected)
        #expect(!redirected.serverTookBasicAlone)

        // A proxy's login is the proxy's, not the server's.
        let proxy = HTTPLoginTrace(text: Self.line("== Info: Proxy auth using Basic with user 'giter'"))
        #expect(proxy.schemes.isEmpty)
        #expect(!proxy.serverTookBasicAlone)
        #expect(!HTTPLoginTrace(text: "").serverTookBasicAlone)
    }

    /// What a server sends is read only where curl puts it: a header or a
    /// status line holding curl's wording is not curl speaking.
    @Test func whatTheServerSentCannotPassForCurl() {
        let forged = HTTPLoginTrace(text: [
            Self.line("<= Recv header: X-Note: == Info: Server auth using Basic with user 'giter'"),
            Self.line("<= Recv header: HTTP/1.1 302 == Info: Server auth using Basic"),
            Self.line("<= Recv header: X: a\r== Info: Server auth using Basic with user 'giter'"),
        ].joined(separator: "\n"))
        #expect(forged.schemes.isEmpty)
        #expect(forged.redirected)
        #expect(!forged.serverTookBasicAlone)
        #expect(forged.saysSomething)
        let anonymous = HTTPLoginTrace(text: Self.line("<= Recv header: HTTP/1.1 200 OK"))
        #expect(!anonymous.saysSomething)
    }

    /// The inline helper of a command that waits to be asked answers `get`
    /// for the remote's protocol and host only, as git asks (run here
    /// through the shell as git runs a `!` helper).
    @Test func theInlineHelperAnswersOnlyTheRemotesHost() async throws {
        let origin = GitCLITransport.credentialOrigin(of: "http://127.0.0.1:8080/git/exchange.git")
        #expect(origin.protocol == "http" && origin.host == "127.0.0.1:8080")
        #expect(GitCLITransport.credentialOrigin(of: "https://forge.example/a?b").host == "forge.example")
        #expect(GitCLITransport.credentialOrigin(of: "https://u@forge.example:8443/a").host == "forge.example:8443")
        let script = String(GitCLITransport.inlineCredentialHelper.dropFirst())
        func ask(_ operation: String, _ request: String) async throws -> String {
            let output = try await ProcessRunner.run(
                "/bin/sh", ["-c", script + " " + operation],
                environment: [
                    "GITER_USER": "giter", "GITER_PASSWORD": "secret", "GITER_PROTOCOL": "http",
                    "GITER_HOST": "127.0.0.1:8080",
                ],
                input: Data(request.utf8))
            return output.stdout
        }
        #expect(try await ask("get", "protocol=http\nhost=127.0.0.1:8080\npath=git/exchange.git\n")
            == "username=giter\npassword=secret\n")
        #expect(try await ask("get", "protocol=http\nhost=elsewhere.example\n") == "")
        #expect(try await ask("get", "protocol=http\nhost=127.0.0.1:8081\n") == "")
        #expect(try await ask("get", "protocol=https\nhost=127.0.0.1:8080\n") == "")
        #expect(try await ask("store", "protocol=http\nhost=127.0.0.1:8080\nusername=giter\npassword=secret\n") == "")
    }

    @Test func aTraceOverTheLimitOrMissingIsNoAnswer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("giter-login-trace-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("trace")
        let basic = Self.line("== Info: Server auth using Basic with user 'giter'") + "\n"
        try Data(basic.utf8).write(to: file)
        #expect(HTTPLoginTrace(file: file.path)?.serverTookBasicAlone == true)
        let padding = String(repeating: "x", count: HTTPLoginTrace.limit) + "\n"
        try Data((padding + basic).utf8).write(to: file)
        #expect(HTTPLoginTrace(file: file.path) == nil)
        #expect(HTTPLoginTrace(file: folder.appendingPathComponent("missing").path) == nil)
    }
}
