public import Foundation
public import Giter
import Synchronization

/// The repetitions a consumer has finished for the experiments it is
/// running, kept in memory between the reconciles of one experiment.
///
/// ``ExperimentReconciler`` runs one repetition per reconcile and asks to be
/// requeued, so progress reaches the repository while the work goes on.
/// Entries are keyed by resource and tagged with the reconcile's
/// idempotency key (`uid/generation`): a new generation starts afresh.
/// After a crash the book is empty and the experiment starts over, which
/// Giter's at-least-once delivery allows.
public final class ProgressBook: Sendable {
    /// The repetitions finished for one generation of one experiment.
    public struct Entry: Sendable, Hashable {
        /// The reconcile's idempotency key (`uid/generation`).
        public var idempotencyKey: String
        /// When the first repetition started.
        public var startedAt: Date
        /// Whether the `Running` condition was published for this generation.
        public var announced = false
        /// Each finished repetition's duration, in milliseconds.
        public var milliseconds: [Double] = []
        /// The output of the first repetition.
        public var output: WorkloadOutput?
    }

    private let entries = Mutex<[ResourceKey: Entry]>([:])

    /// An empty book.
    public init() {}

    /// The entry for `key` when it belongs to `idempotencyKey`, else a fresh
    /// entry started now (replacing one of an older generation).
    public func entry(for key: ResourceKey, idempotencyKey: String, now: Date = Date()) -> Entry {
        entries.withLock { entries in
            if let entry = entries[key], entry.idempotencyKey == idempotencyKey { return entry }
            let entry = Entry(idempotencyKey: idempotencyKey, startedAt: now)
            entries[key] = entry
            return entry
        }
    }

    /// Stores `entry` for `key`.
    public func update(_ key: ResourceKey, to entry: Entry) {
        entries.withLock { $0[key] = entry }
    }

    /// Forgets `key`, once its experiment finished or failed.
    public func remove(_ key: ResourceKey) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// How many experiments are part-way through their repetitions.
    public var inProgress: Int {
        entries.withLock { $0.count }
    }
}
