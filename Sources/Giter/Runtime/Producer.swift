#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

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

    /// A producer over `store`.
    public init(store: some ResourceStore<Resource>) {
        self.store = store
    }

    /// Creates the resource or updates its spec, labels and annotations.
    /// `metadata.generation` is bumped when the spec changed; nothing is
    /// committed when nothing did.
    @discardableResult
    public func apply(_ resource: Resource) async throws -> WriteOutcome {
        try await apply([resource])[0]
    }

    /// Applies every resource in one commit; one outcome per resource.
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
    /// current spec (its status is current: ``StoredResource/isStatusCurrent``),
    /// checking every `pollInterval` (a cheap check when nothing moved).
    ///
    /// `clock` measures the timeout and the polls; a test can give
    /// `GiterTesting`'s `TestClock` and advance it instead of waiting.
    ///
    /// - Throws: ``ProducerError`` when the resource failed for good
    ///   (`Stalled=True` for the current spec), disappeared, or the timeout
    ///   passed; at once, with code ``ProducerError/Code/unreadable`` and the
    ///   file's error (path, line, column), when its file cannot be read as
    ///   `Resource` — no status can come for such a file.
    public func wait(
        for key: ResourceKey, until type: String = "Ready", timeout: Duration, pollInterval: Duration = .milliseconds(100),
        clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> StoredResource<Resource> {
        try await waitAll(for: [key], until: type, timeout: timeout, pollInterval: pollInterval, clock: clock)[0]
    }

    /// Waits for every key; see ``wait(for:until:timeout:pollInterval:clock:)``.
    /// Returns the resources in the order of `keys`. Fails at once when the
    /// file of one of them cannot be read (``ProducerError/Code/unreadable``,
    /// naming the first such key).
    public func waitAll(
        for keys: [ResourceKey], until type: String = "Ready", timeout: Duration, pollInterval: Duration = .milliseconds(100),
        clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> [StoredResource<Resource>] {
        try await waitAll(keys, until: type, timeout: timeout, pollInterval: pollInterval, on: clock)
    }

    private func waitAll<C: Clock<Duration>>(
        _ keys: [ResourceKey], until type: String, timeout: Duration, pollInterval: Duration, on clock: C
    ) async throws -> [StoredResource<Resource>] {
        let deadline = clock.now.advanced(by: timeout)
        var done: [ResourceKey: StoredResource<Resource>] = [:]
        var checked: StoreRevision??
        while true {
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
            try await clock.sleep(for: pollInterval)
        }
    }

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
            guard stored.isStatusCurrent, let status = stored.resource.status else { continue }
            if status.isTrue(type) {
                done[key] = stored
            } else if status.isTrue("Stalled") {
                let reason = status.condition(ofType: "Stalled").map { "\($0.reason): \($0.message)" } ?? ""
                throw ProducerError(.failed, key: key, "\(key) failed: \(reason)")
            }
        }
    }

    /// The resources whose status changed, as the producer sees them,
    /// polling every `pollInterval` of `clock`. Statuses known when the
    /// stream first lists the resources are not reported: only later changes are.
    ///
    /// A resource whose file cannot be read is left out, as by
    /// ``ResourceStore/list(_:)`` (which reports it as
    /// ``StoreEvent/invalidResource(_:)``): the stream goes on for the others.
    public func statusChanges(
        _ query: ResourceQuery = .all, pollInterval: Duration = .milliseconds(200),
        clock: any Clock<Duration> = ContinuousClock()
    ) -> AsyncThrowingStream<StoredResource<Resource>, any Error> {
        let store = self.store
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var known: [ResourceKey: Resource.Status?] = [:]
                    for stored in try await Producer(store: store).list(query) {
                        known[stored.key] = .some(stored.resource.status)
                    }
                    while !Task.isCancelled {
                        try await clock.sleep(for: pollInterval)
                        try await store.refresh()
                        for stored in try await store.list(query) {
                            let status = stored.resource.status
                            if let previous = known[stored.key], previous == status { continue }
                            known[stored.key] = .some(status)
                            continuation.yield(stored)
                        }
                    }
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
        guard stored.isStatusCurrent, let condition = stored.resource.status?.condition(ofType: condition),
            condition.status == .true
        else { return false }
        let age = now.timeIntervalSince(condition.lastTransitionTime)
        let seconds = Double(minimumAge.components.seconds) + Double(minimumAge.components.attoseconds) / 1e18
        return age >= seconds
    }
}
