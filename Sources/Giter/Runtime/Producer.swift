#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Logging
import Tracing

/// The producer's side of an exchange: publish specs, read what the
/// consumer reports, wait for it, and clear completed resources away.
///
/// ```swift
/// let producer = Producer(store: store)
/// try await producer.apply(report)
/// let done = try await producer.wait(for: report.key, until: "Ready", timeout: .seconds(60))
/// try await producer.archive(report.key)
/// ```
///
/// Reads refresh the store first (a cheap check when nothing moved).
public struct Producer<Resource: ExchangedResource>: Sendable {
    /// The store it writes through; its identity must be a producer's.
    public let store: any ResourceStore<Resource>
    /// Whether the waits watch the store's remote when it is a repository
    /// on this machine (``ResourceStore/localRemote``) with a
    /// ``RefWatcher``, so the consumer's status push wakes them at once.
    public var watchesLocalRemote: Bool

    /// A producer over `store`. Its waits watch a remote on this machine
    /// unless `watchesLocalRemote` is `false`; they poll either way.
    public init(store: some ResourceStore<Resource>, watchesLocalRemote: Bool = true) {
        self.store = store
        self.watchesLocalRemote = watchesLocalRemote
    }

    /// Creates the resource or updates its spec, labels and annotations.
    /// `metadata.generation` is bumped when the spec changed; nothing is
    /// committed when nothing did.
    @discardableResult
    public func apply(_ resource: Resource) async throws -> WriteOutcome {
        try await apply([resource])[0]
    }

    /// Applies every resource in one commit; one outcome per resource.
    ///
    /// With a tracer in use, the store's write is a `giter.apply` span, a
    /// child of the caller's current `ServiceContext`, and the commit carries
    /// its context for each resource (see `Documentation/Tracing.md`).
    @discardableResult
    public func apply(_ resources: [Resource]) async throws -> [WriteOutcome] {
        guard !resources.isEmpty else { return [] }
        return try await store.write(resources.map { .apply($0) }).outcomes
    }

    /// The live resource with this key, or `nil`.
    public func get(_ key: ResourceKey) async throws -> StoredResource<Resource>? {
        try await store.refresh()
        return try await store.get(key)
    }

    /// The resources that match the query.
    public func list(_ query: ResourceQuery = .all) async throws -> [StoredResource<Resource>] {
        try await store.refresh()
        return try await store.list(query)
    }

    /// Waits until the consumer reports condition `type` as `True` for the
    /// current spec (``StoredResource/conditionHolds(_:)``: the status is
    /// current, the condition was set for this generation, and no
    /// `Reconciling=True` says work is still under way).
    ///
    /// It checks the remote (a cheap "has it moved?" first; a server is
    /// fetched from at once, which costs no more) at once, then
    /// on every hint of `events` (a ``ChangeNotifier`` that a webhook
    /// receiver or a ``RefWatcher`` posts into), on every move of the
    /// remote's ref when the remote is a repository on this machine
    /// (watched unless ``watchesLocalRemote`` is `false`), and every
    /// `pollInterval` as a safety poll. So the answer comes within
    /// milliseconds of the consumer's push on a watched or hooked remote,
    /// and within `pollInterval` (100 ms by default) otherwise.
    ///
    /// `clock` measures the timeout and the polls; a test can give
    /// `GiterTesting`'s `TestClock` and advance it instead of waiting.
    ///
    /// With a tracer in use, the wait is a `giter.observe` span in the trace
    /// of the resource's apply (see `Documentation/Tracing.md`).
    ///
    /// - Throws: ``ProducerError`` when the resource failed for good
    ///   (``ReconcileState/failed``: `Stalled=True` for the current spec), disappeared, or the timeout
    ///   passed; at once, with code ``ProducerError/Code/unreadable`` and the
    ///   file's error (path, line, column), when its file cannot be read as
    ///   `Resource` — no status can come for such a file.
    public func wait(
        for key: ResourceKey, until type: String = "Ready", timeout: Duration, pollInterval: Duration = .milliseconds(100),
        events: ChangeNotifier? = nil, clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> StoredResource<Resource> {
        try await waitAll(
            for: [key], until: type, timeout: timeout, pollInterval: pollInterval, events: events, clock: clock)[0]
    }

    /// Waits for every key; see ``wait(for:until:timeout:pollInterval:events:clock:)``.
    /// Returns the resources in the order of `keys`. Fails at once when the
    /// file of one of them cannot be read (``ProducerError/Code/unreadable``,
    /// naming the first such key).
    public func waitAll(
        for keys: [ResourceKey], until type: String = "Ready", timeout: Duration, pollInterval: Duration = .milliseconds(100),
        events: ChangeNotifier? = nil, clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> [StoredResource<Resource>] {
        try await waitAll(keys, until: type, timeout: timeout, pollInterval: pollInterval, events: events, on: clock)
    }

    /// The repository the waits watch, if any.
    private var watchedRemote: LocalRemote? {
        watchesLocalRemote ? store.localRemote : nil
    }

    private func waitAll<C: Clock<Duration>>(
        _ keys: [ResourceKey], until type: String, timeout: Duration, pollInterval: Duration, events: ChangeNotifier?,
        on clock: C
    ) async throws -> [StoredResource<Resource>] {
        guard ExchangeTracing.isActive else {
            return try await waitUntil(keys, type, timeout: timeout, pollInterval: pollInterval, events: events, on: clock)
        }
        let span = await observeSpan(keys)
        defer { span.end() }
        span.attributes["giter.condition"] = type
        do {
            let found = try await ServiceContext.withValue(span.context) {
                try await waitUntil(keys, type, timeout: timeout, pollInterval: pollInterval, events: events, on: clock)
            }
            // The statuses' own trace contexts (their reconciles'), when they carried one.
            for key in keys.prefix(ExchangeTracing.maxLinks) {
                if let trace = await store.traceContext(of: key) {
                    span.addLink(SpanLink(context: ExchangeTracing.context(continuing: trace.parent), attributes: [:]))
                }
            }
            return found
        } catch {
            span.recordError(error)
            throw error
        }
    }

    /// A `giter.observe` span in the trace of the first of `keys` with a
    /// context (its apply's, or its status's), else of the caller.
    private func observeSpan(_ keys: [ResourceKey]) async -> any Span {
        var parent = ServiceContext.current ?? .topLevel
        for key in keys.prefix(ExchangeTracing.maxLinks) {
            if let trace = await store.traceContext(of: key) {
                parent = ExchangeTracing.context(continuing: trace.parent)
                break
            }
        }
        let span = startSpan(ExchangeTracing.observeSpan, context: parent, ofKind: .internal)
        span.attributes["giter.kind"] = store.resourceType.kind
        if keys.count == 1 { span.attributes["giter.resource"] = "\(keys[0])" } else { span.attributes["giter.resources"] = keys.count }
        return span
    }

    private func waitUntil<C: Clock<Duration>>(
        _ keys: [ResourceKey], _ type: String, timeout: Duration, pollInterval: Duration, events: ChangeNotifier?,
        on clock: C
    ) async throws -> [StoredResource<Resource>] {
        let deadline = clock.now.advanced(by: timeout)
        return try await withWakeUps(
            events: events, watching: watchedRemote, logger: Self.logger, pollInterval: pollInterval, deadline: deadline,
            clock: clock
        ) { wakeUps in
            var done: [ResourceKey: StoredResource<Resource>] = [:]
            var checked: StoreRevision??
            for await _ in wakeUps {
                // Nothing to look at again until the branch moves.
                let revision = try await store.refresh()
                if checked != .some(revision) {
                    checked = .some(revision)
                    try await check(keys, until: type, into: &done)
                }
                if done.count == keys.count { return keys.compactMap { done[$0] } }
                guard clock.now < deadline else {
                    let missing = keys.filter { done[$0] == nil }
                    let shown = missing.prefix(5).map(\.description).joined(separator: ", ")
                    throw ProducerError(
                        .timedOut, key: missing.first,
                        "timed out after \(timeout) waiting for \(type) on \(missing.count) resource(s): \(shown)")
                }
            }
            throw CancellationError()
        }
    }

    /// Where a wait's ref watcher reports a watch it could not set up.
    private static var logger: Logger { Logger(label: "giter.producer") }

    /// Moves the keys whose condition holds into `done`.
    private func check(
        _ keys: [ResourceKey], until type: String, into done: inout [ResourceKey: StoredResource<Resource>]
    ) async throws {
        for key in keys where done[key] == nil {
            let found: StoredResource<Resource>?
            do {
                found = try await store.get(key)
            } catch let error as StoreError where error.isFileError {
                throw ProducerError(
                    .unreadable, key: key,
                    "\(key) cannot be read as a \(store.resourceType.kind), so no status it holds can be seen: "
                        + "\(error); replace the file (apply) or delete it",
                    cause: error)
            }
            guard let stored = found else {
                throw ProducerError(.gone, key: key, "\(key) was deleted or archived while waiting for \(type)")
            }
            if stored.conditionHolds(type) {
                done[key] = stored
            } else if stored.reconcileState == .failed {
                let stalled = stored.resource.status?.condition(ofType: StandardCondition.stalled)
                let reason = stalled.map { "\($0.reason): \($0.message)" } ?? ""
                throw ProducerError(.failed, key: key, "\(key) failed: \(reason)")
            }
        }
    }

    /// The resources whose status changed, as the producer sees them.
    /// Statuses known when the stream first lists the resources are not
    /// reported: only later changes are.
    ///
    /// Checks the remote when `events` gives a hint, when the ref of a
    /// remote on this machine moves (unless ``watchesLocalRemote`` is
    /// `false`), and every `pollInterval` of `clock` (the safety poll); see
    /// ``wait(for:until:timeout:pollInterval:events:clock:)``.
    ///
    /// A resource whose file cannot be read is left out, as by
    /// ``ResourceStore/list(_:)`` (which reports it as
    /// ``StoreEvent/invalidResource(_:)``): the stream goes on for the others.
    public func statusChanges(
        _ query: ResourceQuery = .all, pollInterval: Duration = .milliseconds(200), events: ChangeNotifier? = nil,
        clock: any Clock<Duration> = ContinuousClock()
    ) -> AsyncThrowingStream<StoredResource<Resource>, any Error> {
        let producer = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await producer.reportStatusChanges(
                        query, pollInterval: pollInterval, events: events, clock: clock, to: continuation)
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func reportStatusChanges<C: Clock<Duration>>(
        _ query: ResourceQuery, pollInterval: Duration, events: ChangeNotifier?, clock: C,
        to continuation: AsyncThrowingStream<StoredResource<Resource>, any Error>.Continuation
    ) async throws {
        var known: [ResourceKey: Resource.Status?] = [:]
        for stored in try await list(query) {
            known[stored.key] = .some(stored.resource.status)
        }
        try await withWakeUps(
            events: events, watching: watchedRemote, logger: Self.logger, pollInterval: pollInterval, deadline: nil,
            clock: clock
        ) { wakeUps in
            for await _ in wakeUps {
                try await store.refresh()
                for stored in try await store.list(query) {
                    let status = stored.resource.status
                    if let previous = known[stored.key], previous == status { continue }
                    known[stored.key] = .some(status)
                    if ExchangeTracing.isActive { await observeSpan([stored.key]).end() }
                    continuation.yield(stored)
                }
            }
        }
    }

    /// Moves a live resource under `archive/`.
    @discardableResult
    public func archive(_ key: ResourceKey) async throws -> WriteOutcome {
        try await store.write(.archive(key))
    }

    /// Deletes a resource (live, or else archived).
    @discardableResult
    public func delete(_ key: ResourceKey) async throws -> WriteOutcome {
        try await store.write(.delete(key))
    }

    /// Archives or deletes, in one commit, the live resources that
    /// `policy` calls completed. Returns what became of each.
    @discardableResult
    public func collect(_ policy: RetentionPolicy, now: Date = Date()) async throws -> [ResourceKey: WriteOutcome] {
        let completed = try await list(policy.query).filter { policy.isCompleted($0, now: now) }.map(\.key)
        guard !completed.isEmpty else { return [:] }
        let writes: [ResourceWrite<Resource>] = completed.map { policy.action == .archive ? .archive($0) : .delete($0) }
        let outcomes = try await store.write(writes).outcomes
        return Dictionary(uniqueKeysWithValues: zip(completed, outcomes))
    }
}

/// When a producer clears completed resources away, and how.
public struct RetentionPolicy: Sendable, Hashable {
    /// What to do with a completed resource.
    public enum Action: Sendable, Hashable {
        /// Move it under `archive/`, where history and `giter get --archived` still find it.
        case archive
        /// Delete it; Git history keeps every version.
        case delete
    }

    /// What to do.
    public var action: Action
    /// The condition that says a resource is complete.
    public var condition: String
    /// How long the condition must have been `True` (by its `lastTransitionTime`).
    public var minimumAge: Duration
    /// Which resources to consider.
    public var query: ResourceQuery

    /// A policy: `action` on resources whose status is current and whose
    /// `condition` has been `True` for at least `minimumAge`.
    public init(action: Action, condition: String = "Ready", after minimumAge: Duration = .zero, query: ResourceQuery = .all) {
        self.action = action
        self.condition = condition
        self.minimumAge = minimumAge
        self.query = query
    }

    func isCompleted<Resource: ExchangedResource>(_ stored: StoredResource<Resource>, now: Date) -> Bool {
        guard stored.conditionHolds(condition), let condition = stored.resource.status?.condition(ofType: condition)
        else { return false }
        let age = now.timeIntervalSince(condition.lastTransitionTime)
        let seconds = Double(minimumAge.components.seconds) + Double(minimumAge.components.attoseconds) / 1e18
        return age >= seconds
    }
}
