import Tracing

/// How a trace crosses the exchange (see `Documentation/Tracing.md`): a
/// writer puts the `traceparent` of each resource's span into the commit
/// as a ``CommitTrailers/traceparent`` trailer, one per key; a reader takes
/// it back out and continues the trace from it.
///
/// All of it goes through `InstrumentationSystem.tracer`, the tracer a host
/// app bootstraps or binds with `withTracer`. With the default no-op tracer
/// nothing is injected, so no trailer is written and no span costs more
/// than a no-op.
enum ExchangeTracing {
    /// The span names.
    static let applySpan = "giter.apply"
    static let statusSpan = "giter.status"
    static let reconcileSpan = "giter.reconcile"
    static let observeSpan = "giter.observe"

    /// The most links a span gets to other resources' spans.
    static let maxLinks = 128

    /// The most trace trailers read from one commit; the rest are ignored.
    /// A commit of the SDK carries one per resource it writes.
    static let maxTrailersPerCommit = 10_000
    /// The longest trailer value read: a key (namespace 63, kind 63, name
    /// 253 characters at most, and two slashes), a space and a traceparent.
    static let maxTrailerValueBytes = 63 + 1 + 63 + 1 + 253 + 1 + TraceParent.length

    /// The context to carry for each key a status write names, set by the
    /// ``Controller`` around its status write: the reconcile spans. A key
    /// not in it carries the write's own span.
    @TaskLocal static var writeContexts: [ResourceKey: ServiceContext] = [:]

    /// Whether a tracer that records is in use: with the no-op tracer,
    /// nothing of this is done at all.
    static var isActive: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }

    /// The `traceparent` the tracer injects for `context`, when it injects
    /// a well-formed one (a tracer that writes something else gets no trailer).
    static func traceParent(of context: ServiceContext) -> TraceParent? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.tracer.inject(context, into: &carrier, using: TraceHeaders())
        return carrier[TraceHeaders.traceparent].flatMap { TraceParent($0) }
    }

    /// A context whose span is the remote one `parent` names, as the tracer extracts it.
    static func context(continuing parent: TraceParent) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.tracer.extract(
            [TraceHeaders.traceparent: parent.value], into: &context, using: TraceHeaders())
        return context
    }

    /// The trailer that carries `parent` for `key`.
    static func trailer(_ key: ResourceKey, _ parent: TraceParent) -> Trailer {
        Trailer(CommitTrailers.traceparent, "\(key) \(parent.value)")
    }

    /// The key and trace context of a ``CommitTrailers/traceparent`` trailer's
    /// value, or `nil` when it is not exactly `<namespace>/<Kind>/<name> <traceparent>`
    /// with a valid key.
    static func parse(_ value: String) -> (key: ResourceKey, parent: TraceParent)? {
        guard value.utf8.count <= maxTrailerValueBytes else { return nil }
        let fields = value.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2, let parent = TraceParent(fields[1]) else { return nil }
        let parts = fields[0].split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let key = ResourceKey(namespace: String(parts[0]), kind: String(parts[1]), name: String(parts[2]))
        do throws(ValidationErrors) {
            try key.validate()
        } catch {
            return nil
        }
        return (key, parent)
    }

    /// The trace contexts `trailers` carry for keys of `kind`, at most one
    /// per key (the last), from at most ``maxTrailersPerCommit`` trailers;
    /// and how many trace trailers were malformed.
    static func contexts(
        in trailers: [Trailer], kind: String
    ) -> (contexts: [ResourceKey: TraceParent], malformed: Int) {
        var contexts: [ResourceKey: TraceParent] = [:]
        var malformed = 0
        var seen = 0
        for trailer in trailers where trailer.key == CommitTrailers.traceparent {
            seen += 1
            guard seen <= maxTrailersPerCommit else { break }
            guard let (key, parent) = parse(trailer.value) else {
                malformed += 1
                continue
            }
            if key.kind == kind { contexts[key] = parent }
        }
        return (contexts, malformed)
    }
}

/// A trace context a store holds for one resource: from the last commit
/// that carried one for it, fetched or written by the store itself.
struct ResourceTraceContext: Sendable, Hashable {
    /// The remote span to continue.
    var parent: TraceParent
    /// When the fetch that brought it began; `nil` for the store's own write.
    var fetchStarted: DefaultTracerClock.Timestamp?
}

/// A store that remembers the trace context of its resources
/// (``GitResourceStore``); the ``Controller`` and the ``Producer`` ask it.
protocol TraceContextSource: Sendable {
    /// The trace context of the last commit that carried one for `key`,
    /// while `key` is live.
    func traceContext(of key: ResourceKey) async -> ResourceTraceContext?
}

extension ResourceStore {
    /// The store's trace context for `key`, when it keeps them and a tracer is in use.
    func traceContext(of key: ResourceKey) async -> ResourceTraceContext? {
        guard ExchangeTracing.isActive, let source = self as? any TraceContextSource else { return nil }
        return await source.traceContext(of: key)
    }
}

/// Puts and takes W3C headers in a string dictionary, keys in lowercase.
struct TraceHeaders: Injector, Extractor {
    static let traceparent = "traceparent"

    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }

    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key.lowercased()]
    }
}
