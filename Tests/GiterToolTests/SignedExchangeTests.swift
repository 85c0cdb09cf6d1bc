import Foundation
import GitServerFixtures
import Giter
import Testing

/// `requireSignatures: true` end to end: `giter` and a store sign, `giter
/// verify` checks every commit and names its signer, plain `git commit -S`
/// takes part, and forged, unsigned or mis-attributed commits are violations.
@Suite("Signed exchanges", .timeLimit(.minutes(5)))
struct SignedExchangeTests {
    @Test("giter and a store sign; every commit verifies, in Giter and in git", arguments: ToolBackend.allCases)
    func signedWritesVerify(_ backend: ToolBackend) async throws {
        guard let signed = try await SignedExchange.make(backend: backend) else { return }
        let exchange = signed.exchange
        try exchange.write("sort-1.yaml", ExchangeFixture.experiment("sort-1"))
        let applied = try await exchange.giter(["apply", "-f", "sort-1.yaml", "--signing-key", signed.producer.privateKey])
        #expect(applied.status == 0, "\(applied.stderr)")
        try await exchange.writeStatus("sort-1", signer: try signed.consumer.signer())

        let verified = try await signed.verify()
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.violations.isEmpty, "\(verified.output)")
        #expect(verified.output.contains("verified 3 commits: 0 violations"), "\(verified.output)")
        let tip = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).trimmedStdout
        let status = try #require(verified.lines[String(tip.prefix(12))], "\(verified.output)")
        #expect(status.hasSuffix("signed by testbed/\(ExchangeFixture.consumerEmail) (\(signed.consumer.fingerprint))"), "\(status)")
        let apply = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main~1"]).trimmedStdout
        let line = try #require(verified.lines[String(apply.prefix(12))], "\(verified.output)")
        #expect(line.hasSuffix("signed by lab/\(SignedExchange.producerEmail) (\(signed.producer.fingerprint))"), "\(line)")
        // What Giter signed, git verifies with the same keys.
        #expect(try await signed.gitVerifies(tip))
        #expect(try await signed.gitVerifies(apply))

        let history = try await exchange.giter(["history", "Experiment/sort-1"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.lines.count == 3, "\(history.stdout)")
        #expect(history.lines.dropFirst().first?.contains("lab/\(SignedExchange.producerEmail) \(signed.producer.fingerprint)") == true, "\(history.stdout)")
        #expect(history.lines.last?.contains("testbed/\(ExchangeFixture.consumerEmail) \(signed.consumer.fingerprint)") == true, "\(history.stdout)")
    }

    @Test("a write that is unsigned, or signed with another member's key, is refused by the store", arguments: ToolBackend.allCases)
    func unsignedWritesAreRefused(_ backend: ToolBackend) async throws {
        guard let signed = try await SignedExchange.make(backend: backend) else { return }
        let exchange = signed.exchange
        let before = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).trimmedStdout
        try exchange.write("sort-1.yaml", ExchangeFixture.experiment("sort-1"))
        let unsigned = try await exchange.giter(["apply", "-f", "sort-1.yaml"])
        #expect(unsigned.status != 0)
        #expect(unsigned.stderr.contains("signature") && unsigned.stderr.contains("not signed"), "\(unsigned.stderr)")
        let borrowed = try await exchange.giter(["apply", "-f", "sort-1.yaml", "--signing-key", signed.consumer.privateKey])
        #expect(borrowed.status != 0)
        #expect(borrowed.stderr.contains("attributed to the member whose key signed it"), "\(borrowed.stderr)")
        let after = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).trimmedStdout
        #expect(after == before, "a refused write was pushed")

        // The key can come from GITER_SIGNING_KEY.
        let fromEnvironment = try await exchange.giter(
            ["apply", "-f", "sort-1.yaml"], environment: ["GITER_SIGNING_KEY": signed.producer.privateKey])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        let signedTip = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).trimmedStdout
        #expect(signedTip != before)
        #expect(try await signed.gitVerifies(signedTip))
    }

    @Test("plain git: signed commits verify; unsigned, foreign, tampered and other-namespace ones are violations",
          arguments: ToolBackend.allCases)
    func gitCommitsAreJudgedOneByOne(_ backend: ToolBackend) async throws {
        guard let signed = try await SignedExchange.make(backend: backend),
            let stranger = try await SSHTestKey.make("stranger", in: signed.keys)
        else { return }
        let good = try await signed.commitExperiment("good", signing: signed.producer.gitOptions)
        let unsigned = try await signed.commitExperiment("unsigned", signing: [])
        let foreign = try await signed.commitExperiment("foreign", signing: stranger.gitOptions)
        let borrowed = try await signed.commitExperiment("borrowed", signing: signed.consumer.gitOptions)
        let tampered = try await signed.commitExperiment("tampered", signing: signed.producer.gitOptions) { object in
            // The signed bytes change after signing: the message gains a word.
            let text = String(decoding: object.bytes, as: UTF8.self).replacingOccurrences(of: "Create tampered", with: "Create tampered!")
            return Array(text.utf8)
        }
        let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
        let scratch = signed.keys.appendingPathComponent("payload")
        let otherNamespace = try await signed.commitExperiment("namespace", signing: []) { object in
            // A good signature by the producer's key, made for files (`-n file`), not for Git.
            try Data(object.signedPayload).write(to: scratch)
            try? FileManager.default.removeItem(atPath: scratch.path + ".sig")
            try await ProcessRunner.runChecked(
                keygen, ["-Y", "sign", "-n", "file", "-f", signed.producer.privateKey, scratch.path],
                environment: ProcessInfo.processInfo.environment)
            let signature = try String(contentsOfFile: scratch.path + ".sig", encoding: .utf8)
            return CommitObject.signing(object.signedPayload, with: signature)
        }
        let last = try await signed.commitExperiment("last", signing: signed.producer.gitOptions)

        let verified = try await signed.verify()
        #expect(verified.status != 0)
        func line(_ commit: String) -> String { verified.lines[String(commit.prefix(12))] ?? "missing \(commit)" }
        #expect(line(good).hasSuffix("signed by lab/\(SignedExchange.producerEmail) (\(signed.producer.fingerprint))"), "\(line(good))")
        #expect(line(last).contains("signed by lab/"), "\(line(last))")
        #expect(line(unsigned).hasSuffix("unsigned"), "\(line(unsigned))")
        #expect(line(foreign).contains("unknown-key (\(stranger.fingerprint))"), "\(line(foreign))")
        #expect(line(borrowed).contains("signed by testbed/\(ExchangeFixture.consumerEmail)"), "\(line(borrowed))")
        #expect(line(tampered).contains("bad (\(signed.producer.fingerprint))"), "\(line(tampered))")
        #expect(line(otherNamespace).contains("wrong-namespace"), "\(line(otherNamespace))")

        let rules = verified.violations.filter { $0.contains(": signature: ") }
        #expect(rules.count == 5, "\(verified.output)")
        for commit in [unsigned, foreign, borrowed, tampered, otherNamespace] {
            #expect(rules.contains { $0.hasPrefix(String(commit.prefix(12))) || $0.contains(commit) }, "no violation for \(commit): \(verified.output)")
        }
        for commit in [good, last] {
            #expect(!verified.violations.contains { $0.contains(String(commit.prefix(12))) }, "\(verified.output)")
        }
        // Readers serve only what the good commits wrote.
        let listed = try await signed.exchange.giter(["get", "experiments", "-o", "name"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(Set(listed.lines) == ["Experiment/good", "Experiment/last"], "\(listed.stdout)")
        // git agrees on the good ones and refuses the tampered one.
        #expect(try await signed.gitVerifies(good))
        #expect(try await !signed.gitVerifies(tampered))
    }

    @Test("key rotation: an admin replaces a key; the removed key signs nothing after", arguments: ToolBackend.allCases)
    func keyRotation(_ backend: ToolBackend) async throws {
        guard let signed = try await SignedExchange.make(backend: backend),
            let replacement = try await SSHTestKey.make("replacement", in: signed.keys)
        else { return }
        let before = try await signed.commitExperiment("before", signing: signed.producer.gitOptions)
        // The owner, signing with the owner's key valid at the parent, replaces the producer's key.
        let rotation = try await signed.commit(author: ExchangeFixture.admin, signing: signed.owner.gitOptions, message: "Rotate the lab's key") {
            folder in
            try Data(signed.policy(producerKeys: [replacement.line]).utf8).write(to: folder.appendingPathComponent(".giter/policy.yaml"))
        }
        let old = try await signed.commitExperiment("old-key", signing: signed.producer.gitOptions)
        let new = try await signed.commitExperiment("new-key", signing: replacement.gitOptions)
        // A policy change signed by the producer is not an admin's.
        let grab = try await signed.commit(author: ExchangeFixture.producer, signing: signed.producer.gitOptions, message: "Take the key back") {
            folder in
            try Data(signed.policy(producerKeys: [signed.producer.line]).utf8).write(to: folder.appendingPathComponent(".giter/policy.yaml"))
        }

        let verified = try await signed.verify()
        func line(_ commit: String) -> String { verified.lines[String(commit.prefix(12))] ?? "missing \(commit)" }
        #expect(line(before).contains("signed by lab/"), "\(line(before))")
        #expect(line(rotation).contains("signed by owners/\(SignedExchange.ownerEmail)"), "\(line(rotation))")
        #expect(line(old).contains("unknown-key (\(signed.producer.fingerprint))"), "\(line(old))")
        #expect(line(new).contains("signed by lab/\(SignedExchange.producerEmail) (\(replacement.fingerprint))"), "\(line(new))")
        let flagged = Set(verified.violations.compactMap { $0.split(separator: " ").first.map { String($0.prefix(12)) } })
        #expect(flagged == [String(old.prefix(12)), String(grab.prefix(12))], "\(verified.output)")

        // The store agrees: a write signed with the removed key is refused, one with the new key lands.
        try signed.exchange.write("later.yaml", ExchangeFixture.experiment("later"))
        let refused = try await signed.exchange.giter(["apply", "-f", "later.yaml", "--signing-key", signed.producer.privateKey])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("no member"), "\(refused.stderr)")
        let accepted = try await signed.exchange.giter(["apply", "-f", "later.yaml", "--signing-key", replacement.privateKey])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }
}
