import Foundation
@testable import GiterGitCLI
@testable import GiterLibGit2
import Testing

/// The rules behind the credential options, without a server: which of the
/// user's git settings are taken, which proxy the environment names, and
/// how hashed known_hosts lines match.
@Suite("Credential rules")
struct CredentialRuleTests {
    /// `git config --list -z --show-scope` output for `entries` of `(scope, key, value)`.
    func listing(_ entries: [(String, String, String)]) -> [UInt8] {
        entries.flatMap { Array("\($0.0)\0\($0.1)\n\($0.2)\0".utf8) }
    }

    @Test func onlyHelperProxyAndCASettingsOfTheSystemAndGlobalFilesAreTaken() {
        let settings = UserGitSettings(
            listing: listing([
                ("global", "credential.helper", "store"),
                ("global", "credential.https://git.example.com.username", "ada"),
                ("system", "http.proxy", "http://proxy:3128"),
                ("global", "http.https://git.example.com/.sslcainfo", "/ca.pem"),
                ("global", "url.http://evil/.insteadof", "https://git.example.com/"),
                ("global", "core.sshcommand", "evil"),
                ("global", "core.hookspath", "/tmp/hooks"),
                ("global", "http.sslverify", "false"),
                ("global", "credential.helperx", "no"),
                ("local", "credential.helper", "from-a-repository"),
                ("command", "http.proxy", "http://elsewhere"),
            ]),
            environment: ["HTTPS_PROXY": "http://p:1", "GIT_SSL_NO_VERIFY": "1", "GIT_SSL_CAINFO": "/ca", "HOME": "/h"])
        #expect(settings.settings.map(\.key) == [
            "credential.helper", "credential.https://git.example.com.username", "http.proxy",
            "http.https://git.example.com/.sslcainfo",
        ])
        #expect(settings.passedEnvironment == ["HTTPS_PROXY": "http://p:1", "GIT_SSL_CAINFO": "/ca"])
    }

    @Test func theProxyOfTheEnvironment() {
        let environment = [
            "https_proxy": "http://secure:1", "http_proxy": "http://plain:2", "NO_PROXY": " .internal.example, localhost",
        ]
        #expect(ProxyVariables.proxy(for: "https://git.example.com/x.git", in: environment) == "http://secure:1")
        #expect(ProxyVariables.proxy(for: "http://git.example.com/x.git", in: environment) == "http://plain:2")
        #expect(ProxyVariables.proxy(for: "https://git.internal.example/x.git", in: environment) == nil)
        #expect(ProxyVariables.proxy(for: "https://localhost:8443/x.git", in: environment) == nil)
        #expect(ProxyVariables.proxy(for: "ssh://git@git.example.com/x.git", in: environment) == nil)
        // Uppercase HTTP_PROXY is not read (curl ignores it too); ALL_PROXY is the fallback.
        #expect(ProxyVariables.proxy(for: "http://a.example/x", in: ["HTTP_PROXY": "http://no:1"]) == nil)
        #expect(ProxyVariables.proxy(for: "http://a.example/x", in: ["ALL_PROXY": "http://all:3"]) == "http://all:3")
        #expect(ProxyVariables.proxy(for: "https://a.example/x", in: ["HTTPS_PROXY": "http://s:4", "no_proxy": "*"]) == nil)
    }

    @Test func hashedKnownHostsLinesMatchTheirNameOnly() throws {
        let salt = Array("0123456789abcdefghij".utf8)
        let key = Array("not a real key, only compared".utf8)
        func line(_ name: String, salt: [UInt8], key: [UInt8]) -> String {
            let hash = KnownHosts.hashedName(name, salt: salt)
            return "|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString()) ssh-ed25519 \(Data(key).base64EncodedString())"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("giter-known-hosts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("known_hosts")
        let text = [
            line("[127.0.0.1]:2222", salt: salt, key: key),
            "|1|bm90IGJhc2U2NA|!!! ssh-ed25519 \(Data(key).base64EncodedString())",  // malformed: skipped
            "|2|\(Data(salt).base64EncodedString())|\(Data(salt).base64EncodedString()) ssh-ed25519 AAAA",  // unknown version
            line("git.example.com", salt: salt, key: Array("another key".utf8)),
        ].joined(separator: "\n")
        try Data(text.utf8).write(to: file)
        let hosts = KnownHosts(path: file.path)
        #expect(hosts.verdict(host: "127.0.0.1", port: 2222, keyType: "ssh-ed25519", key: key) == .known)
        #expect(hosts.verdict(host: "127.0.0.1", port: 22, keyType: "ssh-ed25519", key: key) == .unknown)
        #expect(hosts.verdict(host: "127.0.0.1", port: 2222, keyType: "ecdsa-sha2-nistp256", key: key) == .unknown)
        #expect(hosts.verdict(host: "git.example.com", port: 22, keyType: "ssh-ed25519", key: key) == .changed)
    }
}
