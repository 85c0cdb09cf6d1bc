import Giter
import GiterTesting
import Logging
import Testing

/// `PipelineStage`: one exchange's Reports become another exchange's
/// Reports (`<name>-analysis`), with provenance, and the second's outcome
/// comes back into the first's status.
@Suite("Pipeline stages")
struct PipelineStageTests {
    let upstream = Exchange()
    let downstream = Exchange()
    static let source = PipelineStage<Report, Report>.Source(repository: "https://git.example.com/lab/experiments.git")

    func stage() throws -> PipelineStage<Report, Report> {
        try PipelineStage(
            source: Self.source, input: upstream.consumerStore, output: downstream.producer, pollInterval: .seconds(30)
        ) { input, _ in
            report(input.metadata.name + "-analysis", schedule: input.spec.schedule, namespace: "analysis")
        } reflect: { _, output, status in
            status.url = output.resource.status?.url
        }
    }

    /// Reconciles `name` of the upstream exchange once, as its consumer's controller would.
    func reconcile(_ name: String, attempt: Int = 1) async throws -> ReconcileResult<TestStatus> {
        try await upstream.consumerStore.refresh()
        let key = ResourceKey(namespace: "reports", kind: "Report", name: name)
        let stored = try #require(try await upstream.consumerStore.get(key))
        let generation = stored.resource.metadata.generation ?? 0
        let context = ReconcileContext(
            key: key, generation: generation, idempotencyKey: "\(key)@\(generation)", attempt: attempt,
            logger: Logger(label: "test"))
        return try await stage().reconcile(stored.resource, context: context)
    }

    func output(_ name: String) async throws -> StoredResource<Report>? {
        try await downstream.producerStore.refresh()
        return try await downstream.producerStore.get(ResourceKey(namespace: "analysis", kind: "Report", name: name))
    }

    func writeDownstreamStatus(_ name: String, _ condition: Condition) async throws {
        try await downstream.consumerStore.refresh()
        let key = ResourceKey(namespace: "analysis", kind: "Report", name: name)
        let stored = try #require(try await downstream.consumerStore.get(key))
        var status = TestStatus()
        status.observedGeneration = stored.resource.metadata.generation
        status.conditions.setCondition(condition)
        status.url = "https://results.example.com/\(name)"
        let outcome = try await downstream.consumerStore.write(.status(key, status, specDigest: stored.specDigest))
        try #require(outcome == .statusWritten, "\(outcome)")
    }

    @Test func anInputBecomesAnOutputWithItsProvenanceAndItsOutcomeComesBack() async throws {
        try #require(try await upstream.producer.apply(report("sort-1")) == .created(generation: 1))
        let first = try await reconcile("sort-1")
        #expect(first.next == .requeue(after: .seconds(30)))
        #expect(first.status.condition(ofType: "Ready")?.reason == "WaitingForOutput")
        let written = try #require(try await output("sort-1-analysis"))
        let annotations = written.resource.metadata.annotations ?? [:]
        let upstreamCommit = try #require(await upstream.consumerStore.revision())
        #expect(annotations[Provenance.repository] == Self.source.repository)
        #expect(annotations[Provenance.branch] == "main")
        #expect(annotations[Provenance.commit] == upstreamCommit.rawValue)
        #expect(annotations[Provenance.resource] == "reports/Report/sort-1")
        #expect(annotations[Provenance.generation] == "1")
        #expect(annotations[Provenance.specDigest] == (try Provenance.specDigest(of: report("sort-1").spec)))
        #expect(annotations[Provenance.specDigest]?.hasPrefix("sha256:") == true)

        // Running again (after a crash, say) writes nothing.
        let tip = downstream.remote.tip()
        _ = try await reconcile("sort-1", attempt: 2)
        #expect(downstream.remote.tip() == tip)

        try await writeDownstreamStatus(
            "sort-1-analysis", Condition(type: "Ready", status: .true, reason: "Analysed", message: "done"))
        let ready = try await reconcile("sort-1")
        #expect(ready.next == .done)
        #expect(ready.status.condition(ofType: "Ready")?.status == .true)
        #expect(ready.status.condition(ofType: "Ready")?.reason == "OutputReady")
        #expect(ready.status.url == "https://results.example.com/sort-1-analysis")
    }

    @Test func aNewInputGenerationMovesTheOutputAndAStalledOutputStallsTheInput() async throws {
        try await upstream.producer.apply(report("sort-1"))
        _ = try await reconcile("sort-1")
        try await writeDownstreamStatus(
            "sort-1-analysis", Condition(type: "Ready", status: .true, reason: "Analysed", message: "done"))
        try #require(try await upstream.producer.apply(report("sort-1", schedule: "0 3 * * *")) == .configured(generation: 2))

        let moved = try await reconcile("sort-1")
        #expect(moved.next == .requeue(after: .seconds(30)), "the output's status is for its old spec")
        let output = try #require(try await output("sort-1-analysis"))
        #expect(output.resource.spec.schedule == "0 3 * * *")
        #expect(output.resource.metadata.annotations?[Provenance.generation] == "2")
        #expect(output.resource.metadata.annotations?[Provenance.commit] == (await upstream.consumerStore.revision())?.rawValue)

        try await writeDownstreamStatus(
            "sort-1-analysis",
            Condition(type: "Stalled", status: .true, reason: "BadInput", message: "no such schedule"))
        let stalled = try await reconcile("sort-1")
        #expect(stalled.next == .done)
        #expect(stalled.status.isTrue("Stalled"))
        #expect(stalled.status.condition(ofType: "Ready")?.message.contains("BadInput: no such schedule") == true)
    }

    @Test func anOutputAnotherInputOrAPersonWroteIsNeverOverwritten() async throws {
        try await downstream.producer.apply(report("sort-2-analysis", namespace: "analysis"))
        try await upstream.producer.apply(report("sort-2"))
        let tip = downstream.remote.tip()
        await #expect(throws: TerminalError.self) { _ = try await reconcile("sort-2") }
        #expect(downstream.remote.tip() == tip)
    }

    @Test func provenanceDigestsAndSourcesAreChecked() throws {
        let a = try Provenance.specDigest(of: report("x").spec)
        #expect(a == (try Provenance.specDigest(of: report("y").spec)), "the same spec, whatever the resource")
        #expect(a != (try Provenance.specDigest(of: report("x", schedule: "1 2 * * *").spec)))
        #expect(a.count == "sha256:".count + 64)
        #expect(throws: TerminalError.self) {
            _ = try PipelineStage<Report, Report>(
                source: .init(repository: "https://user:secret@git.example.com/a.git"), input: upstream.consumerStore,
                output: downstream.producer
            ) { input, _ in input }
        }
        _ = try PipelineStage<Report, Report>(
            source: .init(repository: "ssh://git@git.example.com/a.git"), input: upstream.consumerStore,
            output: downstream.producer
        ) { input, _ in input }
    }
}

extension PipelineStageTests {
    /// An output the downstream definition refuses: the stage's terminal
    /// error — which the Controller writes into the input's status,
    /// committed in the open — names the field and the rule, never the
    /// value of an `x-giter-encrypted` field.
    @Test func aRefusedOutputNeverQuotesAnEncryptedValue() async throws {
        let policy = PolicyStoreTests.policy()
            .replacing("namespaces: [\"reports\"]", with: "namespaces: [\"reports\", \"analysis\"]")
        let definition = DefinitionStoreTests.definition.replacing(
            "schedule: {type: string}", with: "schedule: {type: string, minLength: 20, x-giter-encrypted: true}")
        #expect(policy.contains("\"analysis\"") && definition.contains("x-giter-encrypted"))
        try downstream.remote.forgeCommit(
            author: Signature(name: "Owner", email: "owner@example.com"),
            edits: [
                .write(path: ExchangePolicy.path, contents: Array(policy.utf8)),
                .write(path: ".giter/crds/report.yaml", contents: Array(definition.utf8)),
            ],
            message: "init")
        try await upstream.producer.apply(report("sort-3", schedule: "17 4 * * 1"))
        let tip = downstream.remote.tip()
        let error = await #expect(throws: TerminalError.self) { _ = try await reconcile("sort-3") }
        #expect(error?.reason == "OutputRefused")
        #expect(
            error?.message.contains("spec.schedule: Invalid value: must be at least 20 characters long") == true,
            "\(String(describing: error))")
        #expect(error?.message.contains("17 4 * * 1") == false, "the secret is not quoted: \(String(describing: error))")
        #expect(downstream.remote.tip() == tip, "nothing was committed")
    }
}
