import Foundation
import Giter
import GitServerFixtures
import Testing

/// `giter status set`: the consumer's status writes from the command line.
@Suite("giter status set")
struct StatusSetCommandTests {
    /// The status of `name` as a consumer's store reads it.
    static func stored(_ exchange: ExchangeFixture, _ name: String) async throws -> StoredResource<DynamicResource> {
        let reader = ExchangeIdentity(name: "Reader", email: "reader@example.com", role: .producer)
        let store = try await exchange.store(reader, mirror: "reader-mirror")
        try await store.refresh()
        return try #require(try await store.get(ResourceKey(namespace: "default", kind: "Experiment", name: name)))
    }

    @Test("Writes fields by dot path as YAML values and conditions, spliced; the producer's bytes stay", arguments: ToolBackend.allCases)
    func writesStatusOnly(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        // A status from 2020 that says Ready=False: a condition that keeps its status keeps that time.
        let consumer = try await exchange.store(
            ExchangeIdentity(name: "Testbed", email: "testbed@example.com", role: .consumer), mirror: "consumer-mirror")
        try await consumer.refresh()
        let key = ResourceKey(namespace: "default", kind: "Experiment", name: "sort-1")
        let original = try #require(try await consumer.get(key))
        let old = Date(timeIntervalSince1970: 1_577_836_800)
        var earlier = DynamicStatus()
        earlier.conditions = [Condition(type: "Ready", status: .false, lastTransitionTime: old, reason: "Queued")]
        #expect(try await consumer.write(.status(key, earlier, specDigest: original.specDigest)) == .statusWritten)
        let path = try await exchange.experimentPath("sort-1")
        let before = try await runGitChecked(["--git-dir", exchange.remote, "show", "main:\(path)"]).stdout

        let set = try await exchange.giter([
            "status", "set", "Experiment/sort-1", "--set", "phase=Running", "--set", "result.count=3",
            "--set", "label=\"3\"", "--set", "tags=[a, b]", "--condition", "Ready=False:Working:half: done",
        ])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout == "Experiment/sort-1 status written (generation 1)\n")
        let after = try await runGitChecked(["--git-dir", exchange.remote, "show", "main:\(path)"]).stdout
        let producerPart = try #require(before.components(separatedBy: "status:").first)
        #expect(after.hasPrefix(producerPart), "only status changes:\n\(after)")

        let first = try await Self.stored(exchange, "sort-1")
        let status = try #require(first.resource.status)
        #expect(first.isStatusCurrent, "observedGeneration and observedSpecDigest of the current spec")
        #expect(status.observedGeneration == 1)
        #expect(status["phase"] == .string("Running"))
        #expect(status["result"]?["count"]?.number != nil)
        #expect(status["label"] == .string("3"))
        #expect(status["tags"] == .sequence([.string("a"), .string("b")]))
        let working = try #require(status.condition(ofType: "Ready"))
        #expect(working.status == .false && working.reason == "Working" && working.message == "half: done")
        #expect(working.observedGeneration == 1)
        #expect(working.lastTransitionTime == old, "the status stayed False")

        // The same status, another message: the transition time stays; a flip moves it.
        let again = try await exchange.giter(["status", "set", "experiments/sort-1", "--condition", "Ready=false:Working:most"])
        #expect(again.status == 0, "\(again.stderr)")
        let second = try #require(try await Self.stored(exchange, "sort-1").resource.status?.condition(ofType: "Ready"))
        #expect(second.message == "most")
        #expect(second.lastTransitionTime == working.lastTransitionTime)
        let flipped = try await exchange.giter(["status", "set", "Experiment/sort-1", "--condition", "Ready=True"])
        #expect(flipped.status == 0, "\(flipped.stderr)")
        let ready = try await Self.stored(exchange, "sort-1")
        let third = try #require(ready.resource.status?.condition(ofType: "Ready"))
        #expect(third.status == .true && third.reason == "Manual")
        #expect(third.lastTransitionTime > old, "the flip sets the time")
        #expect(ready.resource.status?["phase"] == .string("Running"), "other fields stay")
        #expect(ready.conditionHolds("Ready"))

        let unchanged = try await exchange.giter(["status", "set", "Experiment/sort-1", "--condition", "Ready=True"])
        #expect(unchanged.stdout == "Experiment/sort-1 status unchanged (generation 1)\n")
    }

    @Test("--expect-generation refuses a status for a spec that moved on; nothing is written")
    func expectGenerationRefusesAMovedSpec() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        try await exchange.apply(ExchangeFixture.experiment("sort-1", size: 2000))
        let refused = try await exchange.giter([
            "status", "set", "Experiment/sort-1", "--expect-generation", "1", "--condition", "Ready=True",
        ])
        #expect(refused.status == 1)
        #expect(refused.isOneLineError)
        #expect(refused.stderr.contains("Experiment/sort-1's spec is at generation 2, not 1; nothing written"))
        #expect(try await Self.stored(exchange, "sort-1").resource.status == nil)

        let written = try await exchange.giter([
            "status", "set", "Experiment/sort-1", "--expect-generation", "2", "--condition", "Ready=True",
        ])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try await Self.stored(exchange, "sort-1").resource.status?.observedGeneration == 2)
    }

    @Test(
        "Usage errors name the argument and what to write",
        arguments: [
            (["--set", "observedGeneration=3"], "status.observedGeneration is written by giter itself"),
            (["--set", "conditions=[]"], "set conditions with --condition"),
            (["--set", "a..b=1"], "is not a dot path inside status"),
            (["--set", "phase"], "is not PATH=VALUE"),
            (["--set", "phase=[a"], "the value is not one YAML value"),
            (["--condition", "Ready=Maybe"], "the status 'Maybe' is not True, False or Unknown"),
            (["--condition", "=True"], "is not TYPE=STATUS"),
        ])
    func usageErrors(_ arguments: [String], _ message: String) async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let result = try await exchange.giter(["status", "set", "Experiment/sort-1"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("A path through a field that is not a mapping, and a missing resource, fail with a clear message")
    func failures() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        _ = try await exchange.giter(["status", "set", "Experiment/sort-1", "--set", "phase=Running"])
        let through = try await exchange.giter(["status", "set", "Experiment/sort-1", "--set", "phase.x=1"])
        #expect(through.status == 1)
        #expect(through.stderr.contains("status.phase is a string, not a mapping"), "\(through.stderr)")
        let missing = try await exchange.giter(["status", "set", "Experiment/nope", "--condition", "Ready=True"])
        #expect(missing.status == 1)
        #expect(missing.isOneLineError, "\(missing.stderr)")
    }

    @Test("--role: a consumer cannot apply a spec, a producer cannot write a status")
    func rolesRefuseTheOtherSidesWrites() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let apply = try await exchange.giter(["apply", "--role", "consumer", "-f", "-"], stdin: ExchangeFixture.experiment("sort-1", size: 5))
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("a consumer may not apply a spec"), "\(apply.stderr)")
        let status = try await exchange.giter(["status", "set", "--role", "producer", "Experiment/sort-1", "--condition", "Ready=True"])
        #expect(status.status == 1)
        #expect(status.stderr.contains("a producer may not write a status"), "\(status.stderr)")
        let bad = try await exchange.giter(["get", "experiments", "--role", "admin"])
        #expect(bad.status == 64)
        // The commit says the role it was written in.
        _ = try await exchange.giter(["status", "set", "Experiment/sort-1", "--condition", "Ready=True"])
        let log = try await runGitChecked(["--git-dir", exchange.remote, "log", "-1", "--format=%(trailers:key=Giter-Role,valueonly)", "main"])
        #expect(log.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "consumer")
    }

    @Test("Under a policy, the identity's party gives the role when --role is not given")
    func roleFromThePolicy() async throws {
        let exchange = try await ExchangeFixture.withPolicy()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let producer = try await exchange.giter(
            ["status", "set", "Experiment/sort-1", "--set", "digest=abc"], identity: ExchangeFixture.producer)
        #expect(producer.status == 1)
        #expect(producer.stderr.contains("a producer may not write a status"), "\(producer.stderr)")
        let consumer = try await exchange.giter(
            ["status", "set", "Experiment/sort-1", "--set", "digest=abc", "--condition", "Ready=True:Done"],
            identity: "Testbed <\(ExchangeFixture.consumerEmail)>")
        #expect(consumer.status == 0, "\(consumer.stderr)")
        #expect(try await Self.stored(exchange, "sort-1").resource.status?["digest"] == .string("abc"))
    }
}
