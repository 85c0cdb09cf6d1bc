import Giter

/// What the git backend takes from the user's own git configuration when
/// `Credentials.gitConfiguration` is `.user`: credential helpers, proxy and
/// CA settings, and nothing else.
///
/// Read once, when the transport is created, from the system and global
/// configuration files (`git config --list --show-scope`, includes
/// followed), and handed to each network command through
/// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, never on the
/// command line. Everything else in those files — `url.*.insteadOf`,
/// `core.sshCommand`, `core.hooksPath`, `http.sslVerify`… — is left out:
/// the list below is an allow list, so a setting Git adds later is left out
/// too.
struct UserGitSettings: Sendable {
    /// `(key, value)` pairs in the order git read them.
    private(set) var settings: [(key: String, value: String)] = []

    /// Variables of a `credential.*` section that are taken.
    static let credentialVariables: Set<String> = ["helper", "username", "usehttppath"]
    /// Variables of an `http.*` section that are taken: the proxy and CA ones.
    static let httpVariables: Set<String> = [
        "proxy", "proxyauthmethod", "proxysslcainfo", "sslcainfo", "sslcapath",
    ]
    /// The proxy variables of the environment passed to network commands.
    static var proxyVariables: Set<String> { Credentials.GitConfiguration.proxyVariables }
    /// The CA variables of the environment passed to network commands.
    static var certificateVariables: Set<String> { Credentials.GitConfiguration.certificateVariables }
    /// Variables of the environment passed to the network commands: the
    /// proxy and CA ones, and what credential helpers need to find their
    /// stores (`Credentials.GitConfiguration`'s lists).
    static var environmentNames: Set<String> {
        proxyVariables.union(certificateVariables).union(Credentials.GitConfiguration.helperVariables)
    }
    /// The variables that say which configuration files git reads.
    static var fileVariables: Set<String> { Credentials.GitConfiguration.fileVariables }

    /// Whether `key` (as `git config --list` prints it: section and
    /// variable lowercased, a subsection such as a URL as written) is taken.
    static func isTaken(_ key: String) -> Bool {
        guard let firstDot = key.firstIndex(of: "."), let lastDot = key.lastIndex(of: ".") else { return false }
        let section = key[..<firstDot]
        let variable = String(key[key.index(after: lastDot)...])
        switch section {
        case "credential": return credentialVariables.contains(variable)
        case "http": return httpVariables.contains(variable)
        default: return false
        }
    }

    /// Whether `key` is a credential helper setting (`credential.*`).
    static func isCredential(_ key: String) -> Bool { key.hasPrefix("credential.") }

    /// Whether `key` names a proxy (`http[.<url>].proxy`).
    static func isProxy(_ key: String) -> Bool { key.hasPrefix("http.") && key.hasSuffix(".proxy") }

    /// Whether `key` names CA certificates (`http[.<url>].sslcainfo` / `sslcapath`).
    static func isCertificateAuthority(_ key: String) -> Bool {
        key.hasPrefix("http.") && (key.hasSuffix(".sslcainfo") || key.hasSuffix(".sslcapath"))
    }

    /// The variables of the user's `environment` to pass to network commands.
    let passedEnvironment: [String: String]

    /// The taken settings of the system and global files that the user's
    /// `environment` names, read with `runner`'s git.
    static func read(with runner: GitRunner, environment user: [String: String]) async throws(TransportError)
        -> UserGitSettings
    {
        var environment = ["LC_ALL": "C", "LANG": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "0"]
        for name in fileVariables {
            if let value = user[name] { environment[name] = value }
        }
        // Outside any repository: only the system and global files (and what they include).
        environment["GIT_DIR"] = "/nonexistent/giter-no-repository"
        let result = try await runner.run(
            ["config", "--list", "-z", "--show-scope", "--includes"], replacingEnvironment: environment)
        guard result.succeeded else {
            throw TransportError(
                .backend, "cannot read the user's git configuration (--git-config user): \(result.errorText)")
        }
        return UserGitSettings(listing: result.standardOutput, environment: user)
    }

    /// Parses `git config --list -z --show-scope` output: records
    /// `scope\0` and `key\nvalue\0`, alternating.
    init(listing: [UInt8], environment: [String: String]) {
        // An empty variable is an unset one (git would take an empty CA path as a path).
        passedEnvironment = environment.filter { Self.environmentNames.contains($0.key) && !$0.value.isEmpty }
        let records = GitOutput.fields(listing).map(GitOutput.text)
        for index in stride(from: 0, to: records.count - 1, by: 2) {
            let scope = records[index]
            guard scope == "system" || scope == "global" else { continue }
            let entry = Substring(records[index + 1])
            let key: Substring
            let value: Substring
            if let newline = entry.firstIndex(of: "\n") {
                key = entry[..<newline]
                value = entry[entry.index(after: newline)...]
            } else {
                key = entry
                value = ""
            }
            if Self.isTaken(String(key)) { settings.append((String(key), String(value))) }
        }
    }

}

extension GitRunner {
    /// `GIT_CONFIG_COUNT`, `GIT_CONFIG_KEY_n`, `GIT_CONFIG_VALUE_n` for
    /// `settings`: configuration of the command's own scope, read after
    /// the mirror's, that no other process sees on a command line.
    static func configurationEnvironment(_ settings: [(key: String, value: String)]) -> [String: String] {
        var environment = ["GIT_CONFIG_COUNT": String(settings.count)]
        for (index, setting) in settings.enumerated() {
            environment["GIT_CONFIG_KEY_\(index)"] = setting.key
            environment["GIT_CONFIG_VALUE_\(index)"] = setting.value
        }
        return environment
    }
}
