import ExperimentKit
import Foundation
import Giter
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The demo's contract: the admin's first commit (the policy and the
/// Experiment definition), the server's guard on the bare repository, and
/// at the end a forged push — a consumer changing a spec with plain
/// `git push` — with what the server says and the audit trail.
struct DemoContract {
    static let adminIdentity = ExchangeIdentity(name: "Exchange owner", email: "owner@giter.example", role: .producer)

    let session: DemoSession
    let repository: LocalExchangeRepository
    /// The `giter` tool next to `giter-demo`, when it was built.
    let giter: String?

    /// Commits `.giter/policy.yaml` and the Experiment definition as the
    /// admin: the exchange's first commit, the one readers trust.
    func commitContract() async throws {
        let transport = try await session.backend.open(
            RemoteConfiguration(
                url: repository.path,
                branch: repository.branch,
                mirrorPath: session.folder + "/admin-mirror.git"
            )
        )
        let policy = ExperimentContract.policyText(
            producer: DemoSession.producerIdentity.email,
            consumer: DemoSession.consumerIdentity.email,
            admin: Self.adminIdentity.email
        )
        let commit = try await transport.createCommit(
            CommitRequest(
                parent: nil,
                edits: [
                    .write(path: ExchangePolicy.path, contents: Array(policy.utf8)),
                    .write(
                        path: ExperimentContract.definitionPath,
                        contents: Array(ExperimentContract.definition.utf8)
                    ),
                ],
                author: Signature(name: Self.adminIdentity.name, email: Self.adminIdentity.email),
                message: "The exchange's contract: lab produces Experiments, testbed reports their status"
            )
        )
        guard case .pushed = try await transport.push(commit, expecting: nil) else {
            throw DemoError("the admin's first commit was not accepted by \(repository.path)")
        }
        print("  contract  \(ExchangePolicy.path) (lab produces, testbed consumes, owners administer) and")
        print("            \(ExperimentContract.definitionPath), the admin's first commit")
    }

    /// Installs the server's guard with `giter guard install`; `false` when
    /// this build's `giter` has no guard.
    func installGuard() async throws -> Bool {
        guard let giter else {
            print("  guard     not installed: giter is not built next to giter-demo (swift build --product giter)")
            return false
        }
        let result = try await Self.run(giter, ["guard", "install", "--repository", repository.path])
        guard result.status == 0 else {
            let reason = result.output.split(separator: "\n").first.map(String.init) ?? "no output"
            print("  guard     not installed: 'giter guard install' failed (\(reason)); the demo goes on without it")
            return false
        }
        print("  guard     pre-receive hook installed with giter guard install: every push is checked")
        return true
    }

    /// A consumer's commit changing a live spec, pushed with plain git; then
    /// what the server said (or, with no guard, what `giter verify` says)
    /// and the resource's audit trail.
    func forgePush(guarded: Bool) async throws {
        let store = try await session.makeStore(
            repository,
            identity: DemoSession.producerIdentity,
            mirror: "producer-mirror.git"
        )
        let name = "forge-target"
        let target = ExperimentAPI.experiment(name: name, spec: ExperimentSpec(workload: .sha256Chain, size: 1000))
        _ = try await Producer(store: store).apply([target])
        print("\nA forged push: the consumer's identity changes the spec of Experiment/\(name) with plain git.")
        let work = session.folder + "/forger"
        let consumer = DemoSession.consumerIdentity
        let environment = [
            "GIT_AUTHOR_NAME": consumer.name, "GIT_AUTHOR_EMAIL": consumer.email,
            "GIT_COMMITTER_NAME": consumer.name, "GIT_COMMITTER_EMAIL": consumer.email,
        ]
        _ = try await Self.git(["clone", "--quiet", repository.path, work])
        let path = try await Self.git(["-C", work, "ls-files", "resources/"]).output
            .split(separator: "\n").map(String.init).first { $0.hasSuffix("/\(name).yaml") }
        guard let path else { throw DemoError("the forge target \(name) is not in the exchange") }
        let file = work + "/" + path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let forged = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("  size: ") ? "  size: 5000000" : String($0) }.joined(separator: "\n")
        try Data(forged.utf8).write(to: URL(fileURLWithPath: file))
        _ = try await Self.git(
            ["-C", work, "commit", "--quiet", "-am", "A bigger experiment"],
            environment: environment
        )
        print("  $ git push origin HEAD:main    # as \(consumer.email)")
        let push = try await Self.git(["-C", work, "push", "origin", "HEAD:\(repository.branch)"], check: false)
        for line in push.output.split(separator: "\n") where line.contains("giter:") || line.contains("rejected") {
            print("  \(line)")
        }
        if push.status == 0 {
            print("  The push went through (no guard on this repository); readers ignore the commit, and CI finds it:")
            if let giter {
                let verify = try await Self.run(
                    giter,
                    ["verify", "--remote", repository.path, "--cache", session.folder + "/giter-cache"]
                )
                print("  $ giter verify")
                for line in verify.output.split(separator: "\n") { print("  \(line)") }
            }
        } else if guarded {
            print("  The server refused the push: the branch is unchanged.")
        }
        if let giter {
            let history = try await Self.run(
                giter,
                [
                    "history", "Experiment/\(name)", "--remote", repository.path, "--cache",
                    session.folder + "/giter-cache",
                ]
            )
            print("\n  $ giter history Experiment/\(name)")
            for line in history.output.split(separator: "\n") { print("  \(line)") }
        }
    }

    /// `giter` (or another tool) next to this process's executable.
    static func locateGiter() -> String? { ConsumerProcess.sibling("giter") }

    /// Runs `executable`; its exit status and its output and error together.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws
        -> (status: Int32, output: String)
    {
        try await run(.path(FilePath(executable)), arguments, environment: environment)
    }

    private static func run(_ executable: Executable, _ arguments: [String], environment: [String: String]) async throws
        -> (status: Int32, output: String)
    {
        var updates: [Environment.Key: String?] = [
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C",
        ]
        for (key, value) in environment { updates[Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            executable,
            arguments: Arguments(arguments),
            environment: .inherit.updating(updates),
            output: .string(limit: 4 << 20),
            error: .string(limit: 4 << 20)
        )
        let status: Int32 = if case .exited(let code) = result.terminationStatus { code } else { -1 }
        return (status, result.standardOutput + result.standardError)
    }

    /// Runs `git`; fails unless `check` is off or it succeeds.
    @discardableResult
    static func git(_ arguments: [String], environment: [String: String] = [:], check: Bool = true) async throws
        -> (status: Int32, output: String)
    {
        let result = try await run(.name("git"), arguments, environment: environment)
        if check, result.status != 0 {
            throw DemoError("git \(arguments.prefix(3).joined(separator: " ")) failed: \(result.output)")
        }
        return result
    }
}

/// A step of the demo that could not be done.
struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
