public import Giter

/// The producer side of the example: publish a batch of experiments, follow
/// them until each is finished, check every result by recomputing it, and
/// archive the ones that check out.
///
/// ```swift
/// let campaign = ExperimentCampaign(producer: Producer(store: store))
/// let report = try await campaign.run(ExperimentAPI.batch("b1", count: 12)) { event in
///     if case .finished(let row, let counts) = event { print(row.name, row.phase, counts) }
/// }
/// print(report.table())
/// ```
public struct ExperimentCampaign: Sendable {
    /// How a campaign waits and what it does at the end.
    public struct Options: Sendable {
        /// How often to look at the exchange.
        public var pollInterval: Duration
        /// How long to wait for all experiments before giving up on the rest.
        public var timeout: Duration
        /// Whether to recompute each result and compare digests.
        public var verify: Bool
        /// Whether to move verified experiments under `archive/`.
        public var archive: Bool
        /// Hints that the exchange moved (a webhook receiver posts into
        /// them): each ends the wait for the next look at once; the poll
        /// stays as a safety net.
        public var events: ChangeNotifier?

        /// Options; the defaults suit a consumer on the same machine.
        public init(
            pollInterval: Duration = .milliseconds(250),
            timeout: Duration = .seconds(300),
            verify: Bool = true,
            archive: Bool = true,
            events: ChangeNotifier? = nil
        ) {
            self.pollInterval = pollInterval
            self.timeout = timeout
            self.verify = verify
            self.archive = archive
            self.events = events
        }
    }

    /// What a campaign tells its observer while it runs.
    public enum Event: Sendable {
        /// The batch is published: one commit, at this revision.
        case published(count: Int, revision: StoreRevision?)
        /// Something changed; every row, in the batch's order.
        case updated([ExperimentProgress])
        /// One experiment reached a final phase; the counts after it.
        case finished(ExperimentProgress, PhaseCounts)
        /// Verified experiments were moved under `archive/`.
        case archived(count: Int)
    }

    /// The producer it publishes and reads through.
    public let producer: Producer<Experiment>
    /// How it waits.
    public let options: Options
    /// Where recomputations run.
    public let executor: WorkloadExecutor

    /// A campaign over `producer`.
    public init(
        producer: Producer<Experiment>,
        options: Options = Options(),
        executor: WorkloadExecutor = WorkloadExecutor()
    ) {
        self.producer = producer
        self.options = options
        self.executor = executor
    }

    /// Publishes `experiments` in one commit, follows them, verifies and archives.
    ///
    /// - Returns: The final row of every experiment; check ``CampaignReport/succeeded``.
    /// - Throws: ``CampaignError`` when the batch could not be published, or
    ///   an error from the store.
    public func run(
        _ experiments: [Experiment],
        observer: @Sendable (Event) -> Void = { _ in }
    ) async throws -> CampaignReport {
        let start = ContinuousClock.now
        let outcomes = try await producer.apply(experiments)
        for (experiment, outcome) in zip(experiments, outcomes) where !outcome.isSuccess {
            throw CampaignError("could not publish \(experiment.key): \(outcome)")
        }
        observer(.published(count: experiments.count, revision: await producer.store.revision()))

        let keys = experiments.map(\.key)
        var rows = Dictionary(
            uniqueKeysWithValues: experiments.map { ($0.key, ExperimentProgress(key: $0.key, spec: $0.spec)) }
        )
        let deadline = ContinuousClock.now + options.timeout
        var last: [ExperimentProgress] = []
        // A remote on this machine is watched, as the library's own waits do
        // (unless the producer was told not to); its hints join the webhooks'.
        let events = options.events ?? ChangeNotifier()
        let watcher = producer.store.localRemote.flatMap { remote in
            producer.watchesLocalRemote ? Task { try? await RefWatcher(remote).run(notifying: events) } : nil
        }
        defer { watcher?.cancel() }
        while true {
            // Subscribed before the look, so a hint that comes during it ends the next wait.
            let hints: AsyncStream<Void>? = events.subscribe()
            try await producer.store.refresh()
            for key in keys {
                guard var row = rows[key], !row.phase.isFinal else { continue }
                if let stored = try await producer.store.get(key) {
                    if row.update(from: stored) { await check(&row, stored: stored) }
                } else {
                    row.phase = .failed
                    row.message = "deleted or archived by someone else"
                }
                rows[key] = row
                if row.phase.isFinal { observer(.finished(row, PhaseCounts(rows.values))) }
            }
            let current = keys.compactMap { rows[$0] }
            if current != last {
                observer(.updated(current))
                last = current
            }
            if current.allSatisfy(\.phase.isFinal) { break }
            guard ContinuousClock.now < deadline else {
                for key in keys where rows[key]?.phase.isFinal == false {
                    rows[key]?.phase = .timedOut
                    rows[key]?.message = "no result after \(options.timeout)"
                    if let row = rows[key] { observer(.finished(row, PhaseCounts(rows.values))) }
                }
                break
            }
            try await HintOrPoll.wait(for: hints, orAtMost: options.pollInterval)
        }

        if options.archive {
            let verified = keys.filter { rows[$0]?.phase == .verified }
            if !verified.isEmpty {
                let result = try await producer.store.write(verified.map { .archive($0) })
                for (key, outcome) in zip(verified, result.outcomes) where outcome == .archived {
                    rows[key]?.archived = true
                }
                let count = result.outcomes.filter { $0 == .archived }.count
                observer(.archived(count: count))
            }
        }
        return CampaignReport(rows: keys.compactMap { rows[$0] }, elapsed: ContinuousClock.now - start)
    }

    /// Checks a `Ready` experiment: the consumer ran every repetition and
    /// reported the digest the producer computes itself.
    private func check(_ row: inout ExperimentProgress, stored: StoredResource<Experiment>) async {
        let spec = stored.resource.spec
        guard row.completedRepetitions == spec.repetitions, let digest = row.digest else {
            row.phase = .mismatch
            row.message = "Ready with \(row.completedRepetitions) of \(spec.repetitions) repetitions and no digest"
            return
        }
        guard options.verify else {
            row.phase = .verified
            row.message = "not verified (verification off)"
            return
        }
        guard (try? spec.validated()) != nil else {
            row.phase = .mismatch
            row.message = "Ready for a spec out of bounds; not recomputed"
            return
        }
        let run = await executor.run(spec)
        row.expectedDigest = run.output.digest
        if run.output.digest == digest {
            row.phase = .verified
            row.message = "digest verified (\(run.output.summary))"
        } else {
            row.phase = .mismatch
            row.message = "digest \(digest.prefix(12)) differs from the recomputed \(run.output.digest.prefix(12))"
        }
    }
}

/// Why a campaign could not run.
public struct CampaignError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// An error with a message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
