import Foundation
import Subprocess

/// A bare Git repository on this machine used as an exchange, and the audit
/// trail `git log` reads from it. The demo and the tests use it; any remote
/// the backends support works the same way.
///
/// ```swift
/// let repository = try await LocalExchangeRepository.create(at: "/tmp/lab.git")
/// // … producer and consumer use repository.path as their remote …
/// for entry in try await repository.auditTrail() { print(entry.line) }
/// ```
public struct LocalExchangeRepository: Sendable {
    /// The repository's folder, also its remote URL.
    public let path: String
    /// The branch resources live on.
    public let branch: String

    /// A repository that already exists at `path`.
    public init(path: String, branch: String = "main") {
        self.path = path
        self.branch = branch
    }

    /// Creates an empty bare repository (`git init --bare`) at `path`.
    public static func create(at path: String, branch: String = "main") async throws -> LocalExchangeRepository {
        _ = try await git(["init", "--quiet", "--bare", "--initial-branch=\(branch)", path])
        return LocalExchangeRepository(path: path, branch: branch)
    }

    /// The `git log` arguments that print the audit trail, for showing to people.
    public var logCommand: String {
        "git --git-dir \(path) log --format='%h %an %(trailers:key=Giter-Role,valueonly)%n%(trailers)' \(branch)"
    }

    /// The commits of the branch, newest first (at most `limit`), with the
    /// Giter trailers that say who wrote what.
    public func auditTrail(limit: Int? = nil) async throws -> [AuditEntry] {
        let field = "%x1f"
        let trailers = ["Giter-Role", "Giter-Apply", "Giter-Status", "Giter-Archive", "Giter-Delete"].map {
            "%(trailers:key=\($0),valueonly,separator=%x1d)"
        }
        let format = (["%h", "%ct", "%an", "%ae", "%s"] + trailers).joined(separator: field) + "%x1e"
        var arguments = ["--git-dir", path, "log", "--format=\(format)"]
        if let limit { arguments.append("--max-count=\(limit)") }
        arguments.append(branch)
        let output = try await Self.git(arguments)
        return output.split(separator: "\u{1e}").compactMap { record in
            let trimmed = record.drop { $0 == "\n" }
            guard !trimmed.isEmpty else { return nil }
            return AuditEntry(record: String(trimmed))
        }
    }

    /// Runs `git` with the machine's and user's configuration ignored, and returns standard output.
    ///
    /// - Throws: ``GitCommandError`` when git exits with a failure.
    @discardableResult
    public static func git(_ arguments: [String]) async throws -> String {
        let result = try await Subprocess.run(
            .name("git"),
            arguments: Arguments(arguments),
            environment: .inherit.updating([
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
            ]),
            output: .string(limit: 16 << 20),
            error: .string(limit: 1 << 20)
        )
        guard case .exited(0) = result.terminationStatus else {
            let message = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw GitCommandError(arguments: arguments, message: message)
        }
        return result.standardOutput
    }
}

/// A `git` command that failed.
public struct GitCommandError: Error, Sendable, CustomStringConvertible {
    /// The arguments given to git.
    public var arguments: [String]
    /// What git said on standard error.
    public var message: String

    public var description: String {
        "git \(arguments.prefix(3).joined(separator: " ")) failed: \(message)"
    }
}
