#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging
import Synchronization

/// Elects one leader among replicas that share a remote, with a lease ref
/// (`refs/giter/leases/<name>`) moved by compare-and-swap
/// (``Transport/pushReference(_:to:expecting:)``).
///
/// Each round (``attempt()``) reads the ref and then:
/// - no ref: takes the lease at generation 1;
/// - held by this replica at its generation: renews it (a new commit, same
///   generation, ``LeaseRecord/renewal`` plus one);
/// - held by another: takes it over at generation + 1 only once the ref has
///   not changed for the lease's duration **as this replica observed it**,
///   on its own clock, from the first round that saw the current value.
///   The holder's clock (``LeaseRecord/renewedAt``) is never consulted.
///
/// A replica counts itself leader until its last successful push's start
/// plus the duration: every reader first saw that value after the push
/// began, so the holder's term ends before any reader's wait does (with
/// clocks that run at the same rate). ``run()`` repeats rounds, every
/// ``Options/renewInterval`` while leading and every
/// ``Options/retryInterval`` otherwise, so a standby takes over within the
/// duration plus one retry interval after the last renewal.
///
/// Time comes from the injected clock: tests drive it with a test clock.
public final class LeaderElection: Sendable {
    /// How the election runs.
    public struct Options: Sendable {
        /// The lease's name: the ref is `refs/giter/leases/<name>`.
        public var name: String
        /// This replica's name in the lease, unique among replicas
        /// (default: host name, process id and a random suffix).
        public var holder: String
        /// How long a renewal counts (default 15 s).
        public var duration: Duration
        /// How often the leader renews (default a third of ``duration``).
        public var renewInterval: Duration
        /// How often a standby reads the lease (default a third of ``duration``).
        public var retryInterval: Duration
        /// Who writes the lease commits.
        public var author: Signature

        public init(
            name: String = "consumer", holder: String? = nil, duration: Duration = .seconds(15),
            renewInterval: Duration? = nil, retryInterval: Duration? = nil,
            author: Signature = Signature(name: "giter lease", email: "giter-lease@localhost")
        ) {
            self.name = name
            self.holder = holder ?? Self.defaultHolder()
            self.duration = duration
            self.renewInterval = renewInterval ?? duration / 3
            self.retryInterval = retryInterval ?? duration / 3
            self.author = author
        }

        /// `<host> <pid> <random>`.
        static func defaultHolder() -> String {
            let host = ProcessInfo.processInfo.hostName.prefix(100)
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            return "\(host) \(ProcessInfo.processInfo.processIdentifier) \(suffix)"
        }
    }

    /// Where this replica stands after a round.
    public enum Standing: Sendable, Hashable {
        /// This replica holds the lease at `generation` (its fencing token).
        case leader(generation: UInt64)
        /// Another replica holds it (`holder`, `generation`), or nobody yet (`nil`s).
        case standby(holder: String?, generation: UInt64?)
    }

    public let options: Options
    public let reference: RemoteReferenceName
    private let transport: any Transport
    private let logger: Logger
    /// Time since the election was made, on the injected clock.
    private let elapsed: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let state = Mutex(State())

    private struct State {
        /// The ref's value as last read, and when this replica first saw it.
        var observed: ObjectID?
        var observedSince: Duration = .zero
        var hasObserved = false
        /// This replica's lease: its generation, its last renewal commit, and
        /// when its term ends on the injected clock.
        var heldGeneration: UInt64?
        var heldCommit: ObjectID?
        var renewal: UInt64 = 0
        var termEnds: Duration = .zero
        var standing = Standing.standby(holder: nil, generation: nil)
    }

    /// An election over `transport`'s remote.
    ///
    /// - Throws: ``LeaseError`` with code ``LeaseError/Code/invalidArgument``
    ///   for a bad lease name or holder, or a duration under 1 ms or over a day.
    public init<C: Clock>(
        transport: some Transport, options: Options = Options(), clock: C, logger: Logger = Logger(label: "giter.lease")
    ) throws(LeaseError) where C.Duration == Duration {
        do {
            reference = try RemoteReferenceName.lease(options.name)
        } catch {
            throw LeaseError(.invalidArgument, error.message)
        }
        guard LeaseRecord.isValidHolder(options.holder) else {
            throw LeaseError(
                .invalidArgument,
                "'\(options.holder.prefix(40))' cannot name a lease holder: give 1 to \(LeaseRecord.maxHolderLength) bytes on one line")
        }
        guard options.duration >= .milliseconds(1), options.duration <= .seconds(86_400),
            options.renewInterval > .zero, options.retryInterval > .zero
        else {
            throw LeaseError(.invalidArgument, "the lease duration must be 1 ms to 1 day and the intervals above zero")
        }
        self.options = options
        self.transport = transport
        self.logger = logger
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
    }

    /// Where this replica stood after the last round; a leader whose term
    /// has run out on the clock counts as standby.
    public var standing: Standing {
        let now = elapsed()
        return state.withLock { state in
            if case .leader = state.standing, now >= state.termEnds {
                return .standby(holder: nil, generation: state.heldGeneration)
            }
            return state.standing
        }
    }

    /// The fencing token while this replica leads; `nil` otherwise.
    public var leaderGeneration: UInt64? {
        if case .leader(let generation) = standing { return generation }
        return nil
    }

    /// How long this replica's term still runs on its clock; `nil` when it does not lead.
    var termRemaining: Duration? {
        let now = elapsed()
        return state.withLock { state in
            guard case .leader = state.standing, now < state.termEnds else { return nil }
            return state.termEnds - now
        }
    }

    /// Whether this replica's last write is what it last knew the ref to
    /// hold (its term may have run out): its next round renews.
    var isHolding: Bool { state.withLock { $0.heldCommit != nil } }

    /// The fencing token to write under while this replica leads; `nil` otherwise.
    public var fencingToken: FencingToken? {
        leaderGeneration.map { FencingToken(lease: options.name, generation: $0) }
    }

    /// Runs rounds until the task is cancelled, calling `onChange` after
    /// every round whose standing differs from the one before. A round that
    /// fails (the remote cannot be reached, the lease cannot be read) is
    /// logged and counts as standby; the next round tries again.
    public func run(onChange: (@Sendable (Standing) -> Void)? = nil) async {
        var last = standing
        while !Task.isCancelled {
            do {
                try await attempt()
            } catch {
                // A leader stays one until its term runs out (see `standing`).
                logger.warning("lease round failed: \(error)", metadata: ["lease": "\(reference)"])
            }
            let now = standing
            if now != last {
                last = now
                onChange?(now)
            }
            let delay: Duration
            if case .leader = now { delay = options.renewInterval } else { delay = options.retryInterval }
            do { try await sleep(delay) } catch { return }
        }
    }

    /// What one read of the lease ref found (``observe()``).
    public struct Observation: Sendable, Hashable {
        /// The record the ref holds; `nil` when there is no lease yet.
        public var record: LeaseRecord?
        /// Whether this replica holds the lease (its own last write is the ref's value).
        public var isHeldHere: Bool
        /// Whether another replica may take the lease now: there is none,
        /// or its value has not changed for its duration as this replica observed it.
        public var isFree: Bool
    }

    /// Reads the lease ref and notes when this replica first saw its
    /// value, without writing: what a round would decide from.
    ///
    /// - Throws: ``LeaseError`` with code ``LeaseError/Code/unreadable``
    ///   when the ref holds no readable record; a transport error.
    public func observe() async throws -> Observation {
        let read = try await read()
        return Observation(record: read.record, isHeldHere: read.isHeldHere, isFree: read.isFree)
    }

    /// The ref's value and record, and what this replica makes of them.
    private func read() async throws -> (current: ObjectID?, record: LeaseRecord?, isHeldHere: Bool, isFree: Bool) {
        let current = try await transport.fetchReference(reference)
        let now = elapsed()
        let observedSince = state.withLock { state in
            if !state.hasObserved || state.observed != current {
                state.hasObserved = true
                state.observed = current
                state.observedSince = now
            }
            return state.observedSince
        }
        guard let current else { return (nil, nil, false, true) }
        guard let commit = try await transport.commits(from: current, excluding: nil, limit: 1).first else {
            throw LeaseError(.unreadable, "the lease \(reference) points at \(current.short), which is not a commit")
        }
        let record = try LeaseRecord(commit: commit, reference: reference)
        let held = state.withLock { ($0.heldGeneration, $0.heldCommit) }
        let isHeldHere = record.holder == options.holder && record.generation == held.0 && current == held.1
        return (current, record, isHeldHere, !isHeldHere && now - observedSince >= record.duration)
    }

    /// Gives the lease up at once, if this replica holds it: a renewal
    /// whose duration is 1 ms, so the others may take it over at their
    /// next round, and this replica's term ends now. Stop the work the
    /// lease guards before calling this.
    ///
    /// - Returns: whether the release was pushed (`false`: this replica
    ///   did not hold the lease, or lost it meanwhile).
    @discardableResult
    public func release() async throws -> Bool {
        let held = state.withLock { state in
            let held = (state.heldGeneration, state.heldCommit, state.renewal + 1)
            state.termEnds = .zero
            return held
        }
        guard let generation = held.0, let commit = held.1 else { return false }
        let record = LeaseRecord(
            holder: options.holder, generation: generation, duration: .milliseconds(1), renewal: held.2)
        let written = try await transport.createCommit(record.commitRequest(lease: options.name, author: options.author))
        let outcome = try await transport.pushReference(reference, to: written, expecting: commit)
        state.withLock { state in
            state.heldGeneration = nil
            state.heldCommit = nil
            state.standing = .standby(holder: nil, generation: generation)
        }
        if case .pushed = outcome {
            logger.info("released the lease", metadata: ["lease": "\(reference)"])
            return true
        }
        return false
    }

    /// One round: read the lease, then renew, take over or wait.
    @discardableResult
    public func attempt() async throws -> Standing {
        let before = standing
        let (current, record, isHeldHere, isFree) = try await read()
        let next: Standing
        if let record, let current, isHeldHere {
            next = try await write(generation: record.generation, expecting: current, fallback: record)
        } else if let record, let current {
            if isFree {
                logger.info(
                    "taking over an expired lease", metadata: ["lease": "\(reference)", "holder": "\(record.holder)"])
                next = try await write(generation: record.generation + 1, expecting: current, fallback: record)
            } else {
                state.withLock { $0.heldGeneration = nil; $0.heldCommit = nil }
                next = .standby(holder: record.holder, generation: record.generation)
            }
        } else {
            next = try await write(generation: 1, expecting: nil, fallback: nil)
        }
        state.withLock { $0.standing = next }
        let after = standing
        if after != before {
            logger.info("lease standing changed: \(after)", metadata: ["lease": "\(reference)"])
        }
        return after
    }

    /// Pushes a record at `generation` over `expected`; a lost race leaves
    /// this replica standby until the next round reads the winner.
    private func write(generation: UInt64, expecting expected: ObjectID?, fallback: LeaseRecord?) async throws -> Standing {
        let started = elapsed()
        let renewal = state.withLock { state in
            state.heldGeneration == generation ? state.renewal + 1 : 0
        }
        let record = LeaseRecord(
            holder: options.holder, generation: generation, duration: options.duration, renewal: renewal)
        let commit = try await transport.createCommit(record.commitRequest(lease: options.name, author: options.author))
        switch try await transport.pushReference(reference, to: commit, expecting: expected) {
        case .pushed:
            state.withLock { state in
                state.heldGeneration = generation
                state.heldCommit = commit
                state.renewal = renewal
                state.termEnds = started + options.duration
                // Our own write is what the others now observe.
                state.observed = commit
                state.observedSince = started
            }
            return .leader(generation: generation)
        case .conflict, .locked:
            state.withLock { $0.heldGeneration = nil; $0.heldCommit = nil }
            return .standby(holder: fallback?.holder, generation: fallback?.generation)
        case .rejected(let message):
            state.withLock { $0.heldGeneration = nil; $0.heldCommit = nil }
            throw LeaseError(.refused, "the server refused the lease \(reference): \(message)")
        }
    }
}
