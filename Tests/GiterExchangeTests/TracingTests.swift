import Foundation
import GitServerFixtures
import Giter
import InMemoryTracing
import Testing
import Tracing

/// An in-memory tracer (swift-distributed-tracing's `InMemoryTracer`, which
/// keeps its spans) that propagates W3C `traceparent`, as an OpenTelemetry
/// tracer does: 32 hexadecimal digits of trace id, 16 of span id.
struct W3CTestTracer: Tracer {
    let spans = InMemoryTracer(
        idGenerator: InMemoryTracer.IDGenerator(
            nextTraceID: { randomHex(digits: 32) }, nextSpanID: { randomHex(digits: 16) }))

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> InMemorySpan {
        spans.startSpan(
            operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = value.split(separator: "-")
        guard parts.count == 4 else { return }
        context.inMemorySpanContext = InMemorySpanContext(
            traceID: String(parts[1]), spanID: String(parts[2]), parentSpanID: nil)
    }

    /// The finished spans named `name`.
    func finished(_ name: String) -> [FinishedInMemorySpan] {
        spans.finishedSpans.filter { $0.operationName == name }
    }
}

private func randomHex(digits: Int) -> String {
    var text = ""
    while text.count < digits { text += String(UInt64.random(in: 1...UInt64.max), radix: 16) }
    return String(text.prefix(digits))
}

/// The `giter.resource` attribute of a span.
private func resource(of span: FinishedInMemorySpan) -> String? {
    guard case .string(let key)? = span.attributes["giter.resource"]?.toSpanAttribute() else { return nil }
    return key
}

/// The `Giter-Traceparent` trailers of a commit message: key → traceparent.
private func traceTrailers(_ message: String) -> [String: String] {
    var found: [String: String] = [:]
    for line in message.split(separator: "\n") where line.hasPrefix("Giter-Traceparent: ") {
        let fields = line.dropFirst("Giter-Traceparent: ".count).split(separator: " ")
        if fields.count == 2 { found[String(fields[0])] = String(fields[1]) }
    }
    return found
}

/// The messages of the branch's commits, newest first.
private func commitMessages(_ lab: Lab) async throws -> [String] {
    let log = try await lab.repository.git(["log", "--format=%B%x00", "main"])
    try #require(log.succeeded, "\(log)")
    return log.stdout.split(separator: "\0").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        .filter { !$0.isEmpty }
}

@Suite("Tracing across the exchange", .serialized)
struct TracingTests {
    /// A producer applies three resources in one commit, a consumer
    /// reconciles them and pushes their statuses, the producer waits: one
    /// trace per apply, carried by a trailer per key on both commits.
    @Test(arguments: Backend.allCases)
    func oneTraceFromApplyToObserve(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let tracer = W3CTestTracer()
            let jobs = (0..<3).map { job("traced-\($0)", payload: "p\($0)", round: 1) }
            try await withTracer(tracer) {
                let consumer = Controller(
                    store: try await lab.store(consumerIdentity(0), mirror: "consumer"),
                    reconciler: DigestReconciler(name: "consumer"), options: lab.controllerOptions("consumer"))
                let run = Task { try await consumer.run() }
                let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
                let outcomes = try await producer.apply(jobs)
                #expect(outcomes.allSatisfy { $0 == .created(generation: 1) }, "\(outcomes)")
                let observed = try await producer.wait(for: jobs[0].key, timeout: .seconds(60))
                #expect(observed.resource.status?.isTrue("Ready") == true)
                _ = try await producer.waitAll(for: jobs.map(\.key), timeout: .seconds(60))
                consumer.shutdown()
                try await run.value
            }
            #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")

            let apply = try #require(tracer.finished("giter.apply").first)
            #expect(tracer.finished("giter.apply").count == 1)
            let trace = apply.traceID
            #expect(apply.kind == .producer)
            #expect(apply.attributes["giter.writes"]?.toSpanAttribute() == .int64(3))
            // One reconcile per key whose status was pushed, each a child of the apply.
            let reconciles = tracer.finished("giter.reconcile").filter {
                $0.events.contains { $0.name == "giter.status.pushed" }
            }
            #expect(Set(reconciles.compactMap { resource(of: $0) }) == Set(jobs.map { "\($0.key)" }))
            #expect(reconciles.allSatisfy { $0.traceID == trace && $0.parentSpanID == apply.spanID })
            #expect(reconciles.allSatisfy { $0.kind == .consumer })
            let pushes = tracer.finished("giter.status")
            #expect(pushes.contains { $0.traceID == trace }, "the status push continues the trace")
            let observes = tracer.finished("giter.observe")
            #expect(observes.count == 2)
            #expect(observes.allSatisfy { $0.traceID == trace }, "\(observes.map(\.traceID)) vs \(trace)")

            // The trailers: one per key on the apply commit (its span), one per key on the status commits (each
            // reconcile's span).
            let messages = try await commitMessages(lab)
            let applyCommit = try #require(messages.first { $0.contains("Giter-Apply:") })
            let applied = traceTrailers(applyCommit)
            #expect(applied.count == 3, "\(applyCommit)")
            #expect(Set(applied.keys) == Set(jobs.map { "\($0.key)" }))
            #expect(applied.values.allSatisfy { $0 == "00-\(trace)-\(apply.spanID)-01" }, "\(applied)")
            var statusTrailers: [String: String] = [:]
            for message in messages where message.contains("Giter-Status:") {
                statusTrailers.merge(traceTrailers(message)) { new, _ in new }
            }
            #expect(statusTrailers.count == 3, "\(messages)")
            for key in jobs.map({ "\($0.key)" }) {
                let spans = reconciles.filter { resource(of: $0) == key }.map { "00-\(trace)-\($0.spanID)-01" }
                #expect(statusTrailers[key].map(spans.contains) == true, "\(key): \(statusTrailers) vs \(spans)")
            }
        }
    }

    /// With the no-op tracer (the default), nothing is injected: no commit carries a trace trailer.
    @Test(arguments: Backend.allCases)
    func noTrailerWithoutATracer(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await withTracer(NoOpTracer()) {
                let consumer = Controller(
                    store: try await lab.store(consumerIdentity(0), mirror: "consumer"),
                    reconciler: DigestReconciler(name: "consumer"), options: lab.controllerOptions("consumer"))
                let run = Task { try await consumer.run() }
                let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
                try await producer.apply((0..<2).map { job("plain-\($0)", payload: "p", round: 1) })
                _ = try await producer.waitAll(
                    for: (0..<2).map { job("plain-\($0)", payload: "p", round: 1).key }, timeout: .seconds(60))
                consumer.shutdown()
                try await run.value
            }
            let messages = try await commitMessages(lab)
            #expect(messages.contains { $0.contains("Giter-Apply:") })
            #expect(messages.contains { $0.contains("Giter-Status:") })
            #expect(!messages.contains { $0.contains("Giter-Traceparent") }, "\(messages)")
        }
    }

    /// A commit written with raw `git` into the bare repository, carrying
    /// malformed trace trailers and a well-formed one for a resource it does
    /// not change, is accepted and changes nothing but the trace: the next
    /// apply's reconcile continues the apply's trace, and no span continues
    /// the forged one.
    @Test(arguments: Backend.allCases)
    func aForgedOrMalformedTrailerChangesNothingButTheTrace(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let tracer = W3CTestTracer()
            let forgedTrace = "0af7651916cd43dd8448eb211c80319c"
            try await withTracer(tracer) {
                let consumer = Controller(
                    store: try await lab.store(consumerIdentity(0), mirror: "consumer"),
                    reconciler: DigestReconciler(name: "consumer"), options: lab.controllerOptions("consumer"))
                let run = Task { try await consumer.run() }
                let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
                let first = job("first", payload: "a", round: 1)
                try await producer.apply(first)
                _ = try await producer.wait(for: first.key, timeout: .seconds(60))

                // The raw commit: no change to the tree, garbage trailers.
                let tip = try #require(try await lab.repository.resolve("main"))
                let tree = try await lab.repository.git(["rev-parse", "main^{tree}"]).trimmedStdout
                let message = """
                    forged trace trailers

                    Giter-Role: producer
                    Giter-Traceparent: lab/Job/first 00-zzzz-not-hex
                    Giter-Traceparent: lab/Job/first 00-\(forgedTrace)-b7ad6b7169203331-01 extra
                    Giter-Traceparent: lab/Job/../../etc 00-\(forgedTrace)-b7ad6b7169203331-01
                    Giter-Traceparent: lab/Job/first 00-00000000000000000000000000000000-b7ad6b7169203331-01
                    Giter-Traceparent: lab/Job/first \(String(repeating: "0", count: 4000))
                    Giter-Traceparent: lab/Job/second 00-\(forgedTrace)-b7ad6b7169203331-01
                    Giter-Traceparent: lab/Job/first 00-\(forgedTrace)-b7ad6b7169203332-01
                    """
                let identity = producerIdentity(1)
                let commit = try await lab.repository.git([
                    "-c", "user.name=\(identity.name)", "-c", "user.email=\(identity.email)",
                    "commit-tree", tree, "-p", tip, "-m", message,
                ])
                try #require(commit.succeeded, "\(commit)")
                let moved = try await lab.repository.git(["update-ref", "refs/heads/main", commit.trimmedStdout, tip])
                try #require(moved.succeeded, "\(moved)")

                // The producer's view of `first` still continues its apply's trace: the raw commit did not
                // change its file, so its well-formed trailer for it does not count.
                _ = try await producer.get(first.key)
                _ = try await producer.wait(for: first.key, timeout: .seconds(60))

                let second = job("second", payload: "b", round: 1)
                let again = job("first", payload: "a", round: 2)
                let outcomes = try await producer.apply([second, again])
                #expect(outcomes == [.created(generation: 1), .configured(generation: 2)])
                let done = try await producer.waitAll(for: [second.key, again.key], timeout: .seconds(60))
                #expect(done.allSatisfy { $0.resource.status?.isTrue("Ready") == true })
                consumer.shutdown()
                try await run.value
            }
            #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")
            let applies = tracer.finished("giter.apply")
            #expect(applies.count == 2)
            let last = try #require(applies.last)
            let reconciles = tracer.finished("giter.reconcile")
            #expect(!reconciles.contains { $0.traceID == forgedTrace })
            #expect(!tracer.spans.finishedSpans.contains { $0.traceID == forgedTrace })
            #expect(
                !tracer.spans.finishedSpans.contains { span in
                    span.links.contains { $0.context.inMemorySpanContext?.traceID == forgedTrace }
                })
            let observes = tracer.finished("giter.observe")
            #expect(observes.count == 3)
            #expect(observes.allSatisfy { resource(of: $0) == nil || $0.traceID == applies.first?.traceID })
            let continuing = reconciles.filter { $0.parentSpanID == last.spanID }
            #expect(continuing.count == 2, "\(reconciles.map { ($0.attributes, $0.parentSpanID) })")
        }
    }
}
