import Logging
import Tracing

/// The trace contexts of resources: written into each commit the store
/// makes, one ``CommitTrailers/traceparent`` trailer per key, and read from
/// each commit it brings in (see `Documentation/Tracing.md`).
extension GitResourceStore: TraceContextSource {
    func traceContext(of key: ResourceKey) -> ResourceTraceContext? {
        traceContexts[key]
    }

    /// One trailer per key a write of the batch changed (`outcomes`), sorted by key.
    static func traceTrailers(
        _ writes: [ResourceWrite<Resource>], outcomes: [WriteOutcome], traced: [ResourceKey: TraceParent]
    ) -> [Trailer] {
        var written: [ResourceKey: TraceParent] = [:]
        for (write, outcome) in zip(writes, outcomes) where outcome.changesFiles {
            if let parent = traced[write.key] { written[write.key] = parent }
        }
        return written.keys.sorted().compactMap { key in written[key].map { ExchangeTracing.trailer(key, $0) } }
    }

    /// Keeps the contexts the store's own commit carried, for the keys that stay live.
    func rememberTraces(
        of writes: [ResourceWrite<Resource>], outcomes: [WriteOutcome], traced: [ResourceKey: TraceParent]
    ) {
        for (write, outcome) in zip(writes, outcomes) where outcome.changesFiles {
            let key = write.key
            if live[key] != nil, let parent = traced[key] {
                traceContexts[key] = ResourceTraceContext(parent: parent, fetchStarted: nil)
            } else {
                traceContexts[key] = nil
            }
        }
    }

    /// Keeps the contexts fetched commits carried, for the keys that are live
    /// now: so they are bounded by the resources the store holds.
    func keep(_ traces: TracesReceived) {
        for (key, parent) in traces.received {
            traceContexts[key] = live[key] == nil ? nil : parent.map {
                ResourceTraceContext(parent: $0, fetchStarted: traces.fetchStarted)
            }
        }
        for (commit, count) in traces.malformed {
            logger.debug(
                "ignored \(count) malformed \(CommitTrailers.traceparent) trailer(s): the trace of those resources does not continue, nothing else changes",
                metadata: ["commit": "\(commit.hex)"])
        }
    }
}

/// The trace contexts found in the commits of one fetch.
struct TracesReceived {
    /// Whether a tracer records: otherwise no commit is looked at.
    let active = ExchangeTracing.isActive
    let fetchStarted: DefaultTracerClock.Timestamp?
    /// The last context per key, from commits that changed the key's file
    /// (`nil`: the last such commit carried none).
    private(set) var received: [ResourceKey: TraceParent?] = [:]
    /// Commits with trailers that do not read, and how many.
    private(set) var malformed: [(commit: ObjectID, count: Int)] = []

    init(fetchStarted: DefaultTracerClock.Timestamp?) {
        self.fetchStarted = fetchStarted
    }

    /// Takes the contexts `commit` carries for files of `kind` it changed
    /// (`changes`; `nil` for the branch's first commit, which wrote every
    /// file it holds): a trailer naming a key the commit did not write is
    /// ignored, so a commit can only speak for its own resources. A file
    /// changed without a context loses the one it had.
    mutating func note(_ commit: CommitInfo, changes: [PathChange]?, kind: String) {
        guard active else { return }
        let (contexts, bad) = ExchangeTracing.contexts(in: commit.trailers, kind: kind)
        if bad > 0 { malformed.append((commit.id, bad)) }
        guard let changes else {
            for (key, parent) in contexts { received[key] = parent }
            return
        }
        for change in changes {
            guard let key = ResourceKey(repositoryPath: change.path), key.kind == kind else { continue }
            received[key] = .some(contexts[key])
        }
    }
}

extension WriteOutcome {
    /// Whether the write changed a file (and so has a trailer in the commit).
    var changesFiles: Bool {
        switch self {
        case .created, .configured, .statusWritten, .archived, .deleted: true
        case .unchanged, .notFound, .gone, .stale, .refused, .notApplied, .failed: false
        }
    }
}
