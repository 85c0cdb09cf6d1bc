public import Foundation

/// The isolated environment for every git command a test runs.
///
/// The machine's git configuration may be missing or odd, so it is ignored
/// entirely: no system or global config, no terminal prompts, the C locale
/// (stable messages), and an explicit author and committer. Inherited `GIT_*`
/// variables (for example `GIT_DIR` set by a hook that runs the tests) are
/// dropped. Extra configuration goes through `GIT_CONFIG_COUNT`, never into a
/// file or a URL.
public struct GitEnvironment: Sendable {
    /// The complete environment passed to child processes.
    public var variables: [String: String]

    /// The name used for author and committer by default.
    public static let defaultName = "Giter Test"
    /// The e-mail used for author and committer by default.
    public static let defaultEmail = "giter-test@example.invalid"

    /// Creates an isolated environment.
    ///
    /// - Parameters:
    ///   - name: Author and committer name.
    ///   - email: Author and committer e-mail.
    ///   - base: The environment to start from; only non-git variables
    ///     (`PATH`, `HOME`, ...) are kept.
    public init(
        name: String = GitEnvironment.defaultName,
        email: String = GitEnvironment.defaultEmail,
        base: [String: String] = ProcessInfo.processInfo.environment
    ) {
        var variables = base.filter { !$0.key.hasPrefix("GIT_") && $0.key != "SSH_AUTH_SOCK" && !$0.key.hasPrefix("LC_") }
        if variables["PATH"] == nil {
            variables["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        }
        variables["GIT_CONFIG_NOSYSTEM"] = "1"
        variables["GIT_CONFIG_GLOBAL"] = "/dev/null"
        variables["GIT_TERMINAL_PROMPT"] = "0"
        variables["GIT_ASKPASS"] = "/bin/false"
        variables["SSH_ASKPASS"] = "/bin/false"
        variables["LC_ALL"] = "C"
        variables["LANG"] = "C"
        variables["GIT_AUTHOR_NAME"] = name
        variables["GIT_AUTHOR_EMAIL"] = email
        variables["GIT_COMMITTER_NAME"] = name
        variables["GIT_COMMITTER_EMAIL"] = email
        self.variables = variables
        self = self.addingConfig("init.defaultBranch", "main")
            .addingConfig("advice.detachedHead", "false")
    }

    /// The default isolated environment.
    public static var isolated: GitEnvironment {
        GitEnvironment()
    }

    /// A copy with `name` set to `value`.
    public func setting(_ name: String, _ value: String) -> GitEnvironment {
        var copy = self
        copy.variables[name] = value
        return copy
    }

    /// A copy with one more configuration entry, passed as
    /// `GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` (like `git -c key=value`).
    public func addingConfig(_ key: String, _ value: String) -> GitEnvironment {
        var copy = self
        let count = Int(variables["GIT_CONFIG_COUNT"] ?? "0") ?? 0
        copy.variables["GIT_CONFIG_KEY_\(count)"] = key
        copy.variables["GIT_CONFIG_VALUE_\(count)"] = value
        copy.variables["GIT_CONFIG_COUNT"] = String(count + 1)
        return copy
    }

    /// A copy whose SSH transport runs `command` (`GIT_SSH_COMMAND`), for
    /// example ``SSHServer/sshCommand``.
    public func sshCommand(_ command: String) -> GitEnvironment {
        setting("GIT_SSH_COMMAND", command)
    }

    /// A copy that answers HTTP authentication with `user` and `password`
    /// through an inline credential helper.
    ///
    /// The secret travels in environment variables of the git process only:
    /// never in a URL, a config file or the command line.
    public func httpCredentials(user: String, password: String) -> GitEnvironment {
        let helper = #"!f() { test "$1" = get || exit 0; echo "username=$GITER_TEST_HTTP_USER"; echo "password=$GITER_TEST_HTTP_PASSWORD"; }; f"#
        return setting("GITER_TEST_HTTP_USER", user)
            .setting("GITER_TEST_HTTP_PASSWORD", password)
            .addingConfig("credential.helper", "")
            .addingConfig("credential.helper", helper)
    }
}

/// Runs `git` with `args` in `directory` under an isolated environment.
///
/// A non-zero exit status is returned, not thrown; see ``ProcessOutput/succeeded``
/// or ``runGitChecked(_:in:environment:input:)``.
///
/// - Throws: ``FixtureUnavailable`` when git is not installed, ``FixtureError``
///   when it cannot be started.
public func runGit(
    _ args: [String],
    in directory: URL? = nil,
    environment: GitEnvironment = .isolated,
    input: Data? = nil
) async throws -> ProcessOutput {
    let git = try ExecutableLocator.require("git", package: "git")
    return try await ProcessRunner.run(git, args, in: directory, environment: environment.variables, input: input)
}

/// Like ``runGit(_:in:environment:input:)`` but throws ``FixtureError`` with
/// git's output when the exit status is not 0.
@discardableResult
public func runGitChecked(
    _ args: [String],
    in directory: URL? = nil,
    environment: GitEnvironment = .isolated,
    input: Data? = nil
) async throws -> ProcessOutput {
    let git = try ExecutableLocator.require("git", package: "git")
    return try await ProcessRunner.runChecked(git, args, in: directory, environment: environment.variables, input: input)
}
