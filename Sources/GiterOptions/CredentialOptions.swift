public import ArgumentParser
public import Giter
import Foundation

/// The credential options of every program that reaches an exchange: the
/// `giter` tool and the example producer and consumer. One home, so that
/// they read the same options and variables the same way.
///
/// ```
/// --ssh-key FILE               an SSH private key (or GITER_SSH_KEY)
/// --known-hosts FILE           SSH host keys (default ~/.ssh/known_hosts; hashed entries too)
/// --ssh-agent / --no-ssh-agent the keys of ssh-agent (default: when SSH_AUTH_SOCK is set and no key is given)
/// --git-config isolated|user   take the user's credential helpers, proxy and CA settings (or GITER_GIT_CONFIG)
/// --proxy URL                  an HTTP proxy for http(s) remotes
/// --ca-file FILE               certificate authorities for https remotes
/// GITER_USERNAME, GITER_PASSWORD or GITER_TOKEN: HTTPS credentials
/// ```
///
/// See `Documentation/CLI.md`, "Credentials".
public struct CredentialOptions: ParsableArguments, Sendable {
    @Option(
        name: .long,
        help: ArgumentHelp("An SSH private key for ssh:// remotes (default: $GITER_SSH_KEY).", valueName: "file")
    )
    public var sshKey: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The known-hosts file SSH servers are checked against (default: ~/.ssh/known_hosts; hashed entries too).",
            valueName: "file")
    )
    public var knownHosts: String?

    @Flag(
        name: .customLong("ssh-agent"), inversion: .prefixedNo,
        help: "Offer the keys of ssh-agent ($SSH_AUTH_SOCK) to ssh:// remotes (default: when no --ssh-key is given).")
    public var sshAgent: Bool?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "isolated, or user: also take the user's git credential helpers, proxy and CA settings "
                + "(never url.*.insteadOf, core.sshCommand or core.hooksPath) (default: $GITER_GIT_CONFIG, else isolated).",
            valueName: "which")
    )
    public var gitConfig: String?

    @Option(
        name: .long,
        help: ArgumentHelp("An HTTP proxy for http(s):// remotes, as http://host:port.", valueName: "url")
    )
    public var proxy: String?

    @Option(
        name: .long,
        help: ArgumentHelp("A PEM file of certificate authorities trusted for https:// remotes.", valueName: "file")
    )
    public var caFile: String?

    public init() {}

    public func validate() throws {
        _ = try credentials(environment: ProcessInfo.processInfo.environment)
    }

    /// The credentials the options and `environment` describe.
    ///
    /// HTTPS: `GITER_USERNAME` with `GITER_PASSWORD` or `GITER_TOKEN`; or
    /// `GITER_TOKEN` alone, with the user name the forge expects
    /// (``TokenUser``). A user name alone, or both a password and a token,
    /// is an error, never ignored.
    ///
    /// - Throws: `ValidationError` naming the option or variable.
    public func credentials(environment: [String: String]) throws -> Credentials {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var credentials = Credentials()
        if let key = sshKey ?? value("GITER_SSH_KEY") {
            credentials.sshKey = Credentials.SSHKey(privateKeyPath: Self.absolute(key))
        }
        if let knownHosts {
            credentials.knownHostsPath = Self.absolute(knownHosts)
        } else if let home = value("HOME"), FileManager.default.fileExists(atPath: "\(home)/.ssh/known_hosts") {
            credentials.knownHostsPath = "\(home)/.ssh/known_hosts"
        }
        if sshAgent == true, credentials.sshKey != nil {
            throw ArgumentParser.ValidationError("give --ssh-key (or GITER_SSH_KEY) or --ssh-agent, not both")
        }
        if sshAgent == true, value("SSH_AUTH_SOCK") == nil {
            throw ArgumentParser.ValidationError("--ssh-agent needs a running ssh-agent: SSH_AUTH_SOCK is not set")
        }
        credentials.useSSHAgent = credentials.sshKey == nil && (sshAgent ?? (value("SSH_AUTH_SOCK") != nil))

        let user = value("GITER_USERNAME")
        let password = value("GITER_PASSWORD")
        let token = value("GITER_TOKEN")
        switch (user, password, token) {
        case (_, _?, _?):
            throw ArgumentParser.ValidationError("set GITER_PASSWORD or GITER_TOKEN, not both")
        case (let user?, let password?, nil):
            let pair = Credentials.UserPassword(user: user, password: password)
            credentials.passwordProvider = { _ in pair }
        case (let user, nil, let token?):
            credentials.passwordProvider = Credentials.token(token, user: user)
        case (nil, _?, nil):
            throw ArgumentParser.ValidationError("GITER_PASSWORD is set without GITER_USERNAME (a token alone goes in GITER_TOKEN)")
        case (_?, nil, nil):
            throw ArgumentParser.ValidationError("GITER_USERNAME is set without GITER_PASSWORD or GITER_TOKEN")
        case (nil, nil, nil):
            break
        }

        switch gitConfig ?? value("GITER_GIT_CONFIG") ?? "isolated" {
        case "isolated": credentials.gitConfiguration = .isolated
        case "user": credentials.gitConfiguration = .user(environment: environment)
        case let other:
            throw ArgumentParser.ValidationError("--git-config must be isolated or user, not '\(other)'")
        }
        if let proxy {
            guard proxy.hasPrefix("http://") || proxy.hasPrefix("https://") else {
                throw ArgumentParser.ValidationError("--proxy must be an http:// or https:// URL, not '\(proxy)'")
            }
            let authority = proxy.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" }
            guard !authority.contains("@") else {
                throw ArgumentParser.ValidationError("--proxy must not hold a user name or password")
            }
            credentials.proxy = proxy
        }
        if let caFile {
            let path = Self.absolute(caFile)
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ArgumentParser.ValidationError("--ca-file \(caFile) cannot be read")
            }
            credentials.certificateAuthorityFile = path
        }
        return credentials
    }

    /// `path` made absolute against the current folder.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
