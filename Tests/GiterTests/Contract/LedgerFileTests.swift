import Foundation
import Giter
import Testing

/// What a change to a resource file must prove: it parses, it stays in the
/// writer's section byte for byte, archives are moves, and the definitions
/// are consulted.
@Suite("The ledger: files, archives and definitions")
struct LedgerFileTests {
    let key = ResourceKey.experiment("exp-1")

    func running() async throws -> History {
        var history = try await History()
        #expect(try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        #expect(
            try await history.check(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))]).violations
                .isEmpty
        )
        return history
    }

    /// A history whose trusted first commit holds a file of the lab's that does not parse.
    func brokenInForce() async throws -> History {
        var files = Files.contract
        files[key.repositoryPath] = "spec: [unclosed\n"
        return try await History(files)
    }

    @Test func aProducerReplacesOrDeletesItsOwnBrokenFile() async throws {
        var history = try await brokenInForce()
        let replaced = try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))])
        #expect(replaced.violations.isEmpty)
        #expect(try await history.inForce(key) == Files.resource("exp-1"))

        var again = try await brokenInForce()
        #expect(try await again.check(Who.alice, [.delete(path: key.repositoryPath)]).violations.isEmpty)
        #expect(try await again.inForce(key) == nil)
    }

    @Test func aConsumerNeverWritesIntoABrokenFile() async throws {
        var history = try await brokenInForce()
        let status = try await history.check(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))])
        #expect(status.violations.seen == [Seen(.unreadable, key.repositoryPath, status.commit)])
        #expect(status.violations.first?.message.contains("cannot read") == true)
        #expect(try await history.inForce(key) == "spec: [unclosed\n")
    }

    @Test(arguments: [
        ("[]\n", "a sequence"), ("spec: [unclosed\n", "a syntax error"), ("a: 1\na: 2\n", "a duplicate key"),
        ("just text\n", "a scalar"),
    ])
    func aWriterProducingAnUnreadableFileIsAViolation(text: String, what: String) async throws {
        var history = try await running()
        let producer = try await history.check(Who.alice, [.write(key, text)])
        #expect(producer.violations.seen == [Seen(.unreadable, key.repositoryPath, producer.commit)], "\(what)")
        // Not the producer's bytes again: an unchanged file would be no change at all.
        let consumer = try await history.check(Who.runner, [.write(key, text + "# the runner's\n")])
        #expect(consumer.violations.seen == [Seen(.unreadable, key.repositoryPath, consumer.commit)], "\(what)")
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
    }

    @Test(arguments: [
        ("reformatted", "replicas: 2", "replicas:   2"),
        ("commented", "spec:\n", "spec: # the lab's\n"),
        ("quoted", "image: lab/runner:1", "image: \"lab/runner:1\""),
        ("reordered", "  image: lab/runner:1\n  replicas: 2\n", "  replicas: 2\n  image: lab/runner:1\n"),
    ])
    func aConsumerChangingBytesOutsideStatusIsAViolationEvenWithTheSameValue(
        name: String,
        old: String,
        new: String
    ) async throws {
        var history = try await running()
        let text = Files.resource("exp-1", status: "Done").replacingOccurrences(of: old, with: new)
        #expect(text != Files.resource("exp-1", status: "Done"), "the case must change the file: \(name)")
        let commit = try await history.check(Who.runner, [.write(key, text)])
        #expect(commit.violations.seen == [Seen(.role, key.repositoryPath, commit.commit)], "\(name)")
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
    }

    @Test func aConsumerRewritingOnlyItsStatusIsAllowed() async throws {
        var history = try await running()
        let text = Files.resource("exp-1") + "status:\n  phase: Done\n  # the runner's note\n  conditions: []\n"
        #expect(try await history.check(Who.runner, [.write(key, text)]).violations.isEmpty)
        #expect(try await history.inForce(key) == text)
        // Removing its status entirely is a status change too.
        #expect(try await history.check(Who.runner, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
    }

    @Test func anArchiveIsTheLiveFileMovedUnchanged() async throws {
        let live = Files.resource("exp-1", status: "Running")
        var history = try await running()
        let moved = try await history.check(
            Who.alice,
            [.delete(path: key.repositoryPath), .write(key.archivePath, live)]
        )
        #expect(moved.violations.isEmpty)
        #expect(try await history.inForce(key.archivePath) == live)
        #expect(try await history.inForce(key) == nil)
        let rewritten = try await history.check(Who.alice, [.write(key.archivePath, live + "# edited\n")])
        #expect(rewritten.violations.seen == [Seen(.archive, key.archivePath, rewritten.commit)])
        #expect(try await history.inForce(key.archivePath) == live)
    }

    @Test func anArchiveWithChangedContentOrACopyIsAViolation() async throws {
        let live = Files.resource("exp-1", status: "Running")
        var history = try await running()
        let changed = try await history.check(
            Who.alice,
            [
                .delete(path: key.repositoryPath),
                .write(key.archivePath, Files.resource("exp-1", image: "x/y:1", status: "Running")),
            ]
        )
        #expect(changed.violations.seen == [Seen(.archive, key.archivePath, changed.commit)])
        #expect(try await history.inForce(key) == live)
        #expect(try await history.inForce(key.archivePath) == nil)

        var copy = try await running()
        let copied = try await copy.check(Who.alice, [.write(key.archivePath, live)])
        #expect(copied.violations.seen == [Seen(.archive, key.archivePath, copied.commit)])
        #expect(try await copy.inForce(key.archivePath) == nil)
        #expect(try await copy.inForce(key) == live)
    }

    @Test func metadataMustMatchThePath() async throws {
        var history = try await History()
        let renamed = try await history.check(Who.alice, [.write(key, Files.resource("exp-2"))])
        #expect(renamed.violations.seen == [Seen(.metadata, key.repositoryPath, renamed.commit)])
        let moved = try await history.check(Who.alice, [.write(key, Files.resource("exp-1", namespace: "team-a"))])
        #expect(moved.violations.seen == [Seen(.metadata, key.repositoryPath, moved.commit)])
        #expect(try await history.inForce(key) == nil)
    }

    @Test func aKindWithNoDefinitionIsRejectedWhenThePolicySaysSo() async throws {
        var history = try await History()
        let sample = ResourceKey(namespace: "tools", kind: "Sample", name: "s-1")
        let text = Files.resource("s-1", namespace: "tools", kind: "Sample")
        let rejected = try await history.check(Who.tools, [.write(sample, text)])
        #expect(rejected.violations.seen == [Seen(.unknownKind, sample.repositoryPath, rejected.commit)])
        // The admin allows unknown kinds: the same write passes.
        let allowing = Files.policyText.replacingOccurrences(of: "unknownKinds: reject", with: "unknownKinds: allow")
        #expect(try await history.check(Who.owner, [.write(Files.policy, allowing)]).violations.isEmpty)
        let allowed = try await history.check(Who.tools, [.write(sample, text)])
        #expect(allowed.violations.isEmpty)
    }

    @Test func aVersionTheDefinitionDoesNotServeIsRejected() async throws {
        var history = try await History()
        let old = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", apiVersion: "lab.example/v0"))]
        )
        #expect(old.violations.seen == [Seen(.schema, key.repositoryPath, old.commit)])
        #expect(old.violations.first?.message.contains("serves v1") == true)
        let unknown = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", apiVersion: "lab.example/v7"))]
        )
        #expect(unknown.violations.seen == [Seen(.schema, key.repositoryPath, unknown.commit)])
        // Another group has no definition of the kind.
        let group = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", apiVersion: "other.example/v1"))]
        )
        #expect(group.violations.seen == [Seen(.unknownKind, key.repositoryPath, group.commit)])
    }

    @Test func aStatusForADefinitionWithoutAStatusSubresourceIsRejected() async throws {
        var history = try await History()
        let probe = ResourceKey(namespace: "tools", kind: "Probe", name: "p-1")
        #expect(
            try await history.check(
                Who.tools,
                [.write(probe, Files.resource("p-1", namespace: "tools", kind: "Probe"))]
            ).violations.isEmpty
        )
        let status = try await history.check(
            Who.toolsRunner,
            [.write(probe, Files.resource("p-1", namespace: "tools", kind: "Probe", status: "Running"))]
        )
        #expect(status.violations.seen == [Seen(.schema, probe.repositoryPath, status.commit)])
        #expect(status.violations.first?.message.contains("no status subresource") == true)
    }
}
