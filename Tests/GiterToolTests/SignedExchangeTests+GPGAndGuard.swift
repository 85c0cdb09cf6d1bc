import Foundation
import GitServerFixtures
import Giter
import Testing

extension SignedExchangeTests {
    @Test("GPG: giter --gpg-key and git commit -S verify from the policy's key alone; a tampered one does not",
          arguments: ToolBackend.allCases)
    func gpgSignatures(_ backend: ToolBackend) async throws {
        let scratch = try TemporaryDirectory()
        guard let key = try await GPGTestKey.make(ExchangeFixture.producer, in: scratch.url) else { return }
        do {
            try await checkGPG(backend, key)
        } catch {
            await key.remove()
            throw error
        }
        await key.remove()
    }

    private func checkGPG(_ backend: ToolBackend, _ key: GPGTestKey) async throws {
        guard let signed = try await SignedExchange.make(backend: backend, producerExtra: "\n" + key.policyItem(indent: 10)) else { return }
        let exchange = signed.exchange
        try exchange.write("sort-1.yaml", ExchangeFixture.experiment("sort-1"))
        let applied = try await exchange.giter(["apply", "-f", "sort-1.yaml", "--gpg-key", key.fingerprint, "--gpg-home", key.home])
        #expect(applied.status == 0, "\(applied.stderr)")
        let byGiter = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).trimmedStdout
        let byGit = try await signed.commitExperiment("by-git", signing: key.gitOptions, environment: ["GNUPGHOME": key.home])
        let tampered = try await signed.commitExperiment("tampered", signing: key.gitOptions, environment: ["GNUPGHOME": key.home]) {
            object in
            Array(String(decoding: object.bytes, as: UTF8.self).replacingOccurrences(of: "Create tampered", with: "Create tampered!").utf8)
        }

        let verified = try await signed.verify()
        func line(_ commit: String) -> String { verified.lines[String(commit.prefix(12))] ?? "missing \(commit)" }
        let expected = "signed by lab/\(SignedExchange.producerEmail) (\(key.fingerprint))"
        #expect(line(byGiter).hasSuffix(expected), "\(line(byGiter))")
        #expect(line(byGit).hasSuffix(expected), "\(line(byGit))")
        #expect(line(tampered).contains("bad"), "\(line(tampered))")
        let flagged = Set(verified.violations.compactMap { $0.split(separator: " ").first.map { String($0.prefix(12)) } })
        #expect(flagged == [String(tampered.prefix(12))], "\(verified.output)")
    }

    @Test("the guard checks every commit of a push, not only the tip", arguments: ToolBackend.allCases)
    func guardChecksEveryCommit(_ backend: ToolBackend) async throws {
        let scratch = try TemporaryDirectory()
        guard let alice = try await SSHTestKey.make("alice", in: scratch.url),
            let owner = try await SSHTestKey.make("owner", in: scratch.url)
        else { return }
        let policy = GuardedExchange.policy
            .replacingOccurrences(
                of: "    - email: alice@lab.example\n",
                with: "    - email: alice@lab.example\n      signingKeys: [\"\(alice.line)\"]\n")
            .replacingOccurrences(
                of: "    - email: owner@lab.example\n",
                with: "    - email: owner@lab.example\n      signingKeys: [\"\(owner.line)\"]\n")
            .replacingOccurrences(of: "  unknownKinds: reject\n", with: "  requireSignatures: true\n  unknownKinds: reject\n")
        try #require(policy.contains("requireSignatures: true") && policy.contains(alice.line) && policy.contains(owner.line))
        try await GuardFixture.with(.localPath, backend: backend, seed: { fixture in
            let folder = fixture.scratch.appending("seed", isDirectory: true)
            let environment = WorkClone.committerFree(fixture.client)
            try await runGitChecked(["init", "--quiet", "-b", "main", folder.path], environment: environment)
            let seed = WorkClone(folder: folder, environment: environment)
            try seed.write(GuardedExchange.policyPath, policy)
            try seed.write(GuardedExchange.definitionPath, GuardedExchange.definition)
            try await seed.git(["add", "--all"])
            try await seed.git(as: .owner, owner.gitOptions + ["commit", "--quiet", "-S", "-m", "The signed contract"])
            try await seed.git(["push", "--quiet", fixture.repository.path, "main:refs/heads/main"])
        }) { fixture in
            let exchange = GuardedExchange(fixture: fixture)
            let clone = try await exchange.clone()
            func commit(_ name: String, signing: [String]) async throws -> String {
                try clone.write(ResourceKey(namespace: "lab", kind: "Experiment", name: name).repositoryPath, GuardedExchange.experiment(name))
                try await clone.git(["add", "--all"])
                try await clone.git(as: .alice, signing + ["commit", "--quiet"] + (signing.isEmpty ? [] : ["-S"]) + ["-m", "Create \(name)"])
                return try await clone.head()
            }
            _ = try await commit("exp-1", signing: alice.gitOptions)
            let unsigned = try await commit("exp-2", signing: [])
            _ = try await commit("exp-3", signing: alice.gitOptions)
            let before = try await exchange.refs()
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"), [Rejection.Seen(.signature, nil, unsigned)], refsBefore: before)

            // The same three commits, all signed, are accepted.
            try await clone.git(["reset", "--quiet", "--hard", "origin/main"])
            _ = try await commit("exp-1", signing: alice.gitOptions)
            _ = try await commit("exp-2", signing: alice.gitOptions)
            let tip = try await commit("exp-3", signing: alice.gitOptions)
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: tip)
        }
    }
}
