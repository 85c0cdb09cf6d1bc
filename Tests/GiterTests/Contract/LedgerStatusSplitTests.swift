import Foundation
@testable import Giter
import GiterCodec
import Testing

/// A consumer's change is judged by splitting both versions of the file
/// around `status` (the codec's tape, no node tree of the file) and comparing
/// the bytes outside it; only the status is read into nodes and validated.
/// Every case runs with and without the shared document cache, which takes
/// the other way to the bytes.
@Suite("The ledger: a consumer's status split from the file")
struct LedgerStatusSplitTests {
    let key = ResourceKey.experiment("exp-1")

    /// A history whose file in force, written by the producer, is `text`.
    func history(_ text: String, cached: Bool) async throws -> History {
        var history = try await History()
        if cached { history.ledger.documents = DocumentCache(limit: 100) }
        #expect(try await history.check(Who.alice, [.write(key, text)]).violations.isEmpty)
        return history
    }

    @Test(arguments: [false, true])
    func commentLinesAfterTheStatusStayTheProducers(cached: Bool) async throws {
        let footer = "# the lab's footer\n"
        var history = try await history(Files.resource("exp-1") + footer, cached: cached)
        let running = Files.resource("exp-1") + "status:\n  phase: Running  # the runner's note\n" + footer
        #expect(try await history.check(Who.runner, [.write(key, running)]).violations.isEmpty)
        let done = Files.resource("exp-1") + "status:\n  phase: Done\n  observedGeneration: 1\n" + footer
        #expect(try await history.check(Who.runner, [.write(key, done)]).violations.isEmpty)
        #expect(try await history.inForce(key) == done)

        let dropped = Files.resource("exp-1") + "status:\n  phase: Failed\n"
        let commit = try await history.check(Who.runner, [.write(key, dropped)])
        #expect(commit.violations.seen == [Seen(.role, key.repositoryPath, commit.commit)])
        #expect(commit.violations.first?.message.contains("formatting or comments") == true)
        #expect(try await history.inForce(key) == done)
    }

    @Test(arguments: [false, true])
    func aStatusWithoutAFinalLineBreakIsReplacedAndRemoved(cached: Bool) async throws {
        var history = try await history(Files.resource("exp-1"), cached: cached)
        for phase in ["Running", "Done"] {
            let status = Files.resource("exp-1") + "status:\n  phase: \(phase)"
            #expect(try await history.check(Who.runner, [.write(key, status)]).violations.isEmpty, "\(phase)")
        }
        #expect(try await history.check(Who.runner, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        // Taking the producer's last line break away changes a byte outside the status.
        let commit = try await history.check(Who.runner, [.write(key, String(Files.resource("exp-1").dropLast()))])
        #expect(commit.violations.seen == [Seen(.role, key.repositoryPath, commit.commit)])
    }

    @Test(arguments: [false, true])
    func crlfFilesSplitTheSameWay(cached: Bool) async throws {
        let producer = Files.resource("exp-1").replacingOccurrences(of: "\n", with: "\r\n")
        var history = try await history(producer, cached: cached)
        let status = producer + "status:\r\n  phase: Running\r\n"
        #expect(try await history.check(Who.runner, [.write(key, status)]).violations.isEmpty)
        let lf = Files.resource("exp-1") + "status:\n  phase: Done\n"
        let commit = try await history.check(Who.runner, [.write(key, lf)])
        #expect(commit.violations.seen == [Seen(.role, key.repositoryPath, commit.commit)])
        #expect(commit.violations.first?.message.contains("formatting or comments") == true)
    }

    @Test(arguments: [false, true])
    func aFlowRootCannotBeSplitAndSaysSo(cached: Bool) async throws {
        let producer = "{apiVersion: lab.example/v1, kind: Experiment, metadata: {name: exp-1, namespace: lab}, spec: {replicas: 2}}\n"
        var history = try await history(producer, cached: cached)
        let status = String(producer.dropLast(2)) + ", status: {phase: Running}}\n"
        let commit = try await history.check(Who.runner, [.write(key, status)])
        #expect(commit.violations.seen == [Seen(.unreadable, key.repositoryPath, commit.commit)])
        #expect(commit.violations.first?.message.contains("cannot be split") == true)
    }

    @Test(arguments: [false, true])
    func anUnreadableStatusWriteNamesTheLineAndColumn(cached: Bool) async throws {
        var history = try await history(Files.resource("exp-1"), cached: cached)
        let broken = Files.resource("exp-1") + "status:\n  phase: [Running\n"
        let commit = try await history.check(Who.runner, [.write(key, broken)])
        #expect(commit.violations.seen == [Seen(.unreadable, key.repositoryPath, commit.commit)])
        #expect(commit.violations.first?.message.contains("a consumer wrote a file Giter cannot read") == true)
        let expected = #expect(throws: CodecError.self) { try YAMLReader().readDocument(broken) }
        #expect(commit.violations.first?.location == expected?.location)
        #expect(commit.violations.first?.location != nil)
    }

    @Test(arguments: [false, true])
    func theStatusIsValidatedWithItsLocation(cached: Bool) async throws {
        var history = try await history(Files.resource("exp-1"), cached: cached)
        let invalid = Files.resource("exp-1") + "status:\n  phase: Done\n  observedGeneration: -1\n"
        let commit = try await history.check(Who.runner, [.write(key, invalid)])
        #expect(commit.violations.seen == [Seen(.schema, key.repositoryPath, commit.commit)])
        #expect(commit.violations.first?.location?.line == 11)
        #expect(commit.violations.first?.location?.column == 23)
    }

    @Test(arguments: [false, true])
    func aSpecChangeIsNamedByItsKey(cached: Bool) async throws {
        var history = try await history(Files.resource("exp-1"), cached: cached)
        let forged = Files.resource("exp-1", image: "evil/miner:1", status: "Done")
        let commit = try await history.check(Who.runner, [.write(key, forged)])
        #expect(commit.violations.seen == [Seen(.role, key.repositoryPath, commit.commit)])
        #expect(commit.violations.first?.message.hasSuffix("it changed spec") == true)
        #expect(commit.violations.first?.location?.line == 6)
    }
}
