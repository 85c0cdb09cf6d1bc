import Foundation
import GitServerFixtures
import Testing

/// The guard behind servers that say who pushed: gitolite (a repo-specific
/// pre-receive hook; the pusher is `GL_USER`) and `git http-backend` behind
/// lighttpd with basic authentication (the pusher is `REMOTE_USER`).
@Suite("giter guard behind gitolite and smart HTTP")
struct GuardPusherTests {
    typealias Exchange = PusherExchange

    /// Runs `body` with a started gitolite whose `exchange` repository runs
    /// the guard, and a scratch folder; skips when gitolite is missing (fails in CI).
    static func withGuardedGitolite(
        backend: ToolBackend, _ body: (GitoliteServer, GitServerFixtures.TemporaryDirectory) async throws -> Void
    ) async throws {
        guard try TestRequirements.available(GitoliteServer.unavailableReason, for: "the gitolite server") else { return }
        let scratch = try GitServerFixtures.TemporaryDirectory(prefix: "giter-gitolite-client")
        defer { scratch.remove() }
        let server = try GitoliteServer(users: ["alice", "bob"], preReceiveHook: try Exchange.hookScript(backend: backend))
        try await withGitolite(server) { try await body($0, scratch) }
    }

    /// Pushes `HEAD` to `main`; git's output, failed or not.
    static func push(_ clone: URL, environment: GitEnvironment) async throws -> ProcessOutput {
        try await runGit(["push", "origin", "HEAD:refs/heads/main"], in: clone, environment: environment)
    }

    /// Alice's and bob's environments, a clone, and the contract's commit,
    /// pushed by bob (anyone may push the owner's commits).
    static func contractPushedByBob(_ server: GitoliteServer, _ scratch: GitServerFixtures.TemporaryDirectory)
        async throws -> (alice: GitEnvironment, bob: GitEnvironment, clone: URL, contract: String)
    {
        let alice = try server.clientEnvironment(user: "alice")
        let bob = try server.clientEnvironment(user: "bob")
        let clone = scratch.appending("clone", isDirectory: true)
        try await runGitChecked(["clone", "--quiet", try server.url(), clone.path], environment: bob)
        let contract = try await Exchange.commit(Exchange.contract, in: clone, as: Exchange.owner, environment: bob)
        let seeded = try await Self.push(clone, environment: bob)
        #expect(seeded.succeeded, "\(seeded)")
        return (alice, bob, clone, contract)
    }

    /// Through gitolite, a valid push passes and a consumer's forged spec is
    /// refused with the guard's lines, the branch left where it was.
    @Test(arguments: ToolBackend.allCases)
    func gitoliteRejectsAForgedPush(backend: ToolBackend) async throws {
        try await Self.withGuardedGitolite(backend: backend) { server, scratch in
            let alice = try server.clientEnvironment(user: "alice")
            let clone = scratch.appending("clone", isDirectory: true)
            try await runGitChecked(["clone", "--quiet", try server.url(), clone.path], environment: alice)
            _ = try await Exchange.commit(Exchange.contract, in: clone, as: Exchange.owner, environment: alice)
            let created = try await Exchange.commit(
                [Exchange.path("one"): Exchange.experiment("one", image: "lab/runner:1")], in: clone, as: Exchange.alice,
                environment: alice)
            let valid = try await Self.push(clone, environment: alice)
            #expect(valid.succeeded, "\(valid)")
            #expect(try await server.repository.resolve("refs/heads/main") == created)

            let forged = try await Exchange.commit(
                [Exchange.path("one"): Exchange.experiment("one", image: "evil/miner:1", phase: "Running")], in: clone,
                as: Exchange.runner, environment: alice)
            let refused = try await Self.push(clone, environment: alice)
            #expect(!refused.succeeded)
            #expect(
                refused.stderr.contains("remote: giter: rejected \(forged) \(Exchange.path("one")):6:1: role: "),
                "\(refused)")
            #expect(refused.stderr.contains("pre-receive hook declined"), "\(refused)")
            #expect(try await server.repository.resolve("refs/heads/main") == created)
        }
    }

    /// `GL_USER` is the pusher: alice's commit, whose pushers are `[alice]`,
    /// is refused from gitolite user bob (rule `pusher`) and accepted from alice.
    @Test(arguments: ToolBackend.allCases)
    func gitoliteUserIsThePusher(backend: ToolBackend) async throws {
        try await Self.withGuardedGitolite(backend: backend) { server, scratch in
            let (alice, bob, clone, contract) = try await Self.contractPushedByBob(server, scratch)

            let created = try await Exchange.commit(
                [Exchange.path("one"): Exchange.experiment("one", image: "lab/runner:1")], in: clone, as: Exchange.alice,
                environment: bob)
            let fromBob = try await Self.push(clone, environment: bob)
            #expect(!fromBob.succeeded)
            #expect(fromBob.stderr.contains("remote: giter: rejected \(created) -: pusher: bob may not push"), "\(fromBob)")
            #expect(try await server.repository.resolve("refs/heads/main") == contract)

            let fromAlice = try await Self.push(clone, environment: alice)
            #expect(fromAlice.succeeded, "\(fromAlice)")
            #expect(try await server.repository.resolve("refs/heads/main") == created)
        }
    }

    /// Deleting an exchange branch and creating, moving or deleting its
    /// archive ref carry no commit to judge: with pushers named in the
    /// policy, only a producer's or an admin's pusher (alice) may; bob,
    /// pusher of nobody's commits, may start a branch but not end one.
    @Test(arguments: ToolBackend.allCases)
    func onlyAProducersPusherArchivesAndDeletesExchangeBranches(backend: ToolBackend) async throws {
        try await Self.withGuardedGitolite(backend: backend) { server, scratch in
            let (alice, bob, clone, contract) = try await Self.contractPushedByBob(server, scratch)
            func push(_ environment: GitEnvironment, _ refspecs: String...) async throws -> ProcessOutput {
                try await runGit(["push", "origin"] + refspecs, in: clone, environment: environment)
            }
            let branch = "refs/heads/giter/x/g-1"
            let archive = "refs/giter/archive/g-1"
            let started = try await push(bob, "HEAD:\(branch)")
            #expect(started.succeeded, "anyone may start a branch: \(started)")

            let archivedByBob = try await push(bob, "HEAD:\(archive)")
            #expect(!archivedByBob.succeeded)
            #expect(archivedByBob.stderr.contains("pusher: \(archive): bob may not move \(archive)"), "\(archivedByBob)")
            #expect(try await server.repository.resolve(archive) == nil)
            #expect(try await push(alice, "HEAD:\(archive)").succeeded)

            let deletedByBob = try await push(bob, ":\(branch)")
            #expect(!deletedByBob.succeeded)
            #expect(deletedByBob.stderr.contains("bob may not delete giter/x/g-1"), "\(deletedByBob)")
            #expect(try await server.repository.resolve(branch) == contract)
            #expect(try await push(alice, ":\(branch)").succeeded)
            #expect(try await server.repository.resolve(branch) == nil)

            let collectedByBob = try await push(bob, ":\(archive)")
            #expect(!collectedByBob.succeeded && collectedByBob.stderr.contains("bob may not delete"), "\(collectedByBob)")
            #expect(try await server.repository.resolve(archive) == contract, "the archive keeps the exchange's history")
            #expect(try await push(alice, ":\(archive)").succeeded)
        }
    }

    /// `REMOTE_USER` is the pusher: the web server's authenticated user
    /// `alice` may push alice's commit, `bob` may not (rule `pusher`).
    @Test(arguments: [("alice", true), ("bob", false)])
    func webServerUserIsThePusher(user: String, accepted: Bool) async throws {
        guard try TestRequirements.available(ServerKind.smartHTTP.unavailableReason, for: "the smart HTTP remote") else {
            return
        }
        let scratch = try GitServerFixtures.TemporaryDirectory(prefix: "giter-http-pusher")
        defer { scratch.remove() }
        try await withSmartHTTPServer(user: user, password: "secret-of-\(user)") { server in
            let repository = try await server.createRepository(named: "exchange", seeded: false)
            let install = try await GiterProcess.run(
                ["guard", "install", "--repository", repository.path], in: scratch.url)
            try #require(install.status == 0, "guard install failed: \(install.stderr)")
            let client = try server.clientEnvironment()
            let clone = scratch.appending("clone", isDirectory: true)
            try await runGitChecked(["clone", "--quiet", try server.url(for: "exchange"), clone.path], environment: client)
            let contract = try await Exchange.commit(Exchange.contract, in: clone, as: Exchange.owner, environment: client)
            let seeded = try await Self.push(clone, environment: client)
            #expect(seeded.succeeded, "\(seeded)")

            let created = try await Exchange.commit(
                [Exchange.path("one"): Exchange.experiment("one", image: "lab/runner:1")], in: clone, as: Exchange.alice,
                environment: client)
            let push = try await Self.push(clone, environment: client)
            #expect(push.succeeded == accepted, "\(push)")
            if accepted {
                #expect(try await repository.resolve("refs/heads/main") == created)
            } else {
                #expect(push.stderr.contains("remote: giter: rejected \(created) -: pusher: bob may not push"), "\(push)")
                #expect(try await repository.resolve("refs/heads/main") == contract)
            }
        }
    }
}
