import Foundation
import GitServerFixtures
import Giter
import Testing

/// A working clone of a guarded exchange, changed and pushed with plain
/// `git`, each commit authored as a ``Person`` (`git -c user.email=…`).
struct WorkClone {
    let folder: URL
    let environment: GitEnvironment

    /// `client` without the fixtures' author and committer, so that
    /// `-c user.name`/`-c user.email` decide who commits.
    static func committerFree(_ client: GitEnvironment) -> GitEnvironment {
        var environment = client
        for name in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] {
            environment.variables[name] = nil
        }
        return environment
    }

    /// Writes `text` to the repository path `path`, creating its folders.
    func write(_ path: String, _ text: String) throws {
        let file = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    /// The contents of the repository path `path`.
    func read(_ path: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
    }

    /// Runs `git` in the clone; throws when it fails.
    @discardableResult
    func git(_ arguments: [String]) async throws -> ProcessOutput {
        try await runGitChecked(arguments, in: folder, environment: environment)
    }

    /// Runs `git` in the clone as `person`; throws when it fails.
    @discardableResult
    func git(as person: Person, _ arguments: [String]) async throws -> ProcessOutput {
        try await git(["-c", "user.name=\(person.name)", "-c", "user.email=\(person.email)"] + arguments)
    }

    /// Commits every change of the working tree as `person`; returns the commit.
    @discardableResult
    func commit(as person: Person, _ message: String) async throws -> String {
        try await git(["add", "--all"])
        try await git(as: person, ["commit", "--quiet", "-m", message])
        return try await head()
    }

    /// The commit `HEAD` names.
    func head() async throws -> String {
        try await git(["rev-parse", "HEAD"]).trimmedStdout
    }

    /// Pushes `refspecs` to `origin`; git's output, failed or not.
    func push(_ refspecs: String..., force: Bool = false) async throws -> ProcessOutput {
        try await runGit(
            ["push"] + (force ? ["--force"] : []) + ["origin"] + refspecs,
            in: folder,
            environment: environment
        )
    }
}

/// One `giter: rejected <commit> <path>: <rule>: <message>` line of the
/// guard, as the pushing client receives it (`remote: giter: rejected …`).
struct Rejection: CustomStringConvertible {
    /// What a test expects of a rejection: rule, path (`nil`: the whole
    /// commit or push) and commit (`nil`: none).
    struct Seen: Hashable, CustomStringConvertible {
        var rule: ContractViolation.Rule
        var path: String?
        var commit: String?

        init(_ rule: ContractViolation.Rule, _ path: String?, _ commit: String?) {
            self.rule = rule
            self.path = path
            self.commit = commit
        }

        var description: String { "\(commit ?? "-") \(path ?? "-"): \(rule)" }
    }

    var seen: Seen
    var message: String
    var description: String { "\(seen): \(message)" }

    static let prefix = "remote: giter: rejected "

    /// The guard's rejections in a client's standard error. A line that
    /// does not have the shape (`giter: rejected: <what>`, when the guard
    /// could not decide) reads as rule `undecided`, which no test expects.
    static func parse(_ stderr: String) -> [Rejection] {
        stderr.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(prefix) else { return nil }
            let text = line.dropFirst(prefix.count)
            let parts = text.split(separator: " ", maxSplits: 1)
            let fields = parts.count == 2 ? parts[1].components(separatedBy: ": ") : []
            guard !text.hasPrefix(":"), fields.count >= 3 else {
                return Rejection(
                    seen: Seen(ContractViolation.Rule(rawValue: "undecided"), nil, nil),
                    message: String(text)
                )
            }
            let commit = parts[0] == "-" ? nil : String(parts[0])
            // The path may carry the value's place, `path:LINE:COLUMN`.
            var place = fields[0].split(separator: ":", omittingEmptySubsequences: false)
            while place.count > 1, let last = place.last, !last.isEmpty, last.allSatisfy(\.isNumber) {
                place.removeLast()
            }
            let path = place.joined(separator: ":")
            return Rejection(
                seen: Seen(ContractViolation.Rule(rawValue: fields[1]), path == "-" ? nil : path, commit),
                message: fields[2...].joined(separator: ": ")
            )
        }
    }
}
