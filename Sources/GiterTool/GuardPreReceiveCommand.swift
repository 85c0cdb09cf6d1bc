import ArgumentParser
import Foundation
import Giter

/// `giter guard pre-receive`: the hook itself. Reads git's ref updates,
/// checks them against the contract and refuses the push on a violation or
/// when it cannot decide (fail closed).
struct GuardPreReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pre-receive",
        abstract: "Check a push, as git's pre-receive hook (run by the hook 'giter guard install' writes).",
        discussion: """
            Reads git's '<old> <new> <ref>' lines on standard input (at most \
            10,000 lines of at most 4 KB), opens the repository git runs the hook \
            in (GIT_DIR, else the working directory) with the pushed objects still \
            in quarantine (GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES, \
            GIT_QUARANTINE_PATH), and checks every new commit of the exchange \
            branch: the repository's giter.branch setting, else the branch its \
            HEAD names, else main. The pusher is GL_USER (gitolite), else \
            REMOTE_USER (a web server), else unknown.

            Exit status 0 accepts the push. Otherwise it prints one line per \
            violation, 'giter: rejected <commit> <path>: <rule>: <message>', or \
            'giter: rejected: <what>' when it cannot decide (bad input, an object \
            it cannot read), on standard error, and exits 1: git then refuses the \
            whole push.
            """
    )

    @Option(name: .long, help: "The backend the pushed objects are read with.")
    var backend: Backend = .libgit2

    func run() async throws {
        let violations: [ContractViolation]
        do {
            let updates = try RefUpdateInput.read(from: FileHandle.standardInput)
            let environment = ProcessInfo.processInfo.environment
            let repository = try await backend.openRepository(
                at: Self.repositoryPath(environment), environment: environment)
            let branch = try await Self.exchangeBranch(of: repository)
            let guardian = PushGuard(reader: repository, branch: branch, pusher: Self.pusher(environment))
            violations = try await guardian.check(updates)
        } catch {
            let message =
                switch error {
                case let error as TransportError: "cannot read the pushed objects: \(error)"
                default: "\(error)"
                }
            StandardError.write("giter: rejected: \(ErrorReporting.oneLine(message))\n")
            throw ExitCode(1)
        }
        guard violations.isEmpty else {
            for violation in violations {
                StandardError.write("giter: rejected \(ErrorReporting.oneLine(violation.description))\n")
            }
            throw ExitCode(1)
        }
    }

    /// The repository git runs the hook in: `GIT_DIR` (relative to the
    /// working directory) when set, else the working directory.
    static func repositoryPath(_ environment: [String: String]) -> String {
        guard let directory = environment["GIT_DIR"], !directory.isEmpty else {
            return FileManager.default.currentDirectoryPath
        }
        return LocalPath.absolute(directory)
    }

    /// Who pushed, as the server says: gitolite's `GL_USER`, else a web
    /// server's `REMOTE_USER`; nothing else is believed.
    static func pusher(_ environment: [String: String]) -> String? {
        for name in ["GL_USER", "REMOTE_USER"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// The branch the guard judges: the setting `giter.branch`, else the
    /// branch `HEAD` names, else `main`.
    static func exchangeBranch(of repository: some ServerRepository) async throws -> String {
        if let configured = try await repository.configurationValue("giter.branch"), !configured.isEmpty {
            return configured.hasPrefix("refs/heads/") ? String(configured.dropFirst("refs/heads/".count)) : configured
        }
        if let head = try await repository.headReference(), head.hasPrefix("refs/heads/"), head.count > 11 {
            return String(head.dropFirst("refs/heads/".count))
        }
        return "main"
    }
}
