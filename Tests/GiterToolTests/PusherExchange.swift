import Foundation
import GitServerFixtures
import Giter

/// An exchange with a real contract, for pushes through servers that name
/// the pusher: the lab's producer `alice@lab.example`, whose commits only the
/// server user `alice` may push; the testbed's consumer; an admin.
enum PusherExchange {
    typealias Author = Person

    static let owner = Person.owner
    static let alice = Person.alice
    static let runner = Person.runner

    /// ``GuardedExchange/policy`` with alice's commits pushable only by the server user `alice`.
    static let policy = GuardedExchange.policy.replacingOccurrences(
        of: "    - email: alice@lab.example\n",
        with: "    - email: alice@lab.example\n      pushers: [\"alice\"]\n")

    static let definition = GuardedExchange.definition

    /// The policy and the definition: the first commit, by the owner.
    static let contract = [".giter/policy.yaml": policy, ".giter/crds/experiment.yaml": definition]

    /// The file of the experiment `name` in namespace `lab`.
    static func path(_ name: String) -> String {
        ResourceKey(namespace: "lab", kind: "Experiment", name: name).repositoryPath
    }

    /// An experiment as its producer writes it, with `status` when given.
    static func experiment(_ name: String, image: String, phase: String? = nil) -> String {
        GuardedExchange.experiment(name, image: image, status: phase)
    }

    /// Writes `files` in `clone` and commits them as `author`; returns the commit.
    static func commit(
        _ files: [String: String], in clone: URL, as author: Author, environment: GitEnvironment
    ) async throws -> String {
        for (path, text) in files {
            let file = clone.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        let environment = environment.setting("GIT_AUTHOR_NAME", author.name).setting("GIT_AUTHOR_EMAIL", author.email)
        try await runGitChecked(["add", "--"] + files.keys.sorted(), in: clone, environment: environment)
        try await runGitChecked(["commit", "--quiet", "-m", "Change by \(author.name)"], in: clone, environment: environment)
        return try await runGitChecked(["rev-parse", "HEAD"], in: clone, environment: environment).trimmedStdout
    }

    /// The script of a pre-receive hook that runs the `giter` under test.
    static func hookScript(backend: ToolBackend) throws -> String {
        let executable = try GiterProcess.executable().path
        return """
            #!/bin/sh
            exec '\(executable)' guard pre-receive --backend \(backend.rawValue)

            """
    }
}
