#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Reading and setting conditions in a status's condition list, the way
/// Kubernetes' `k8s.io/apimachinery/pkg/api/meta` helpers do.
extension Array where Element == Condition {
    /// Sets a condition the way Kubernetes' `meta.SetStatusCondition` does.
    ///
    /// - If the list has no condition of `new.type`, `new` is appended; its
    ///   `lastTransitionTime` becomes `now` when it is not set.
    /// - Otherwise the existing condition is updated in place:
    ///   - when its status differs, the status changes and
    ///     `lastTransitionTime` becomes `new`'s, or `now` when `new`'s is
    ///     not set;
    ///   - when the status is the same, `lastTransitionTime` stays as it was;
    ///   - `reason`, `message` and `observedGeneration` always take `new`'s
    ///     values.
    ///
    /// - Parameters:
    ///   - new: The condition to set.
    ///   - now: The current time; pass a fixed date in tests.
    /// - Returns: Whether the list changed.
    @discardableResult
    public mutating func setCondition(_ new: Condition, now: Date = Date()) -> Bool {
        guard let index = firstIndex(where: { $0.type == new.type }) else {
            var added = new
            if !added.hasTransitionTime { added.lastTransitionTime = now }
            append(added)
            return true
        }
        var changed = false
        if self[index].status != new.status {
            self[index].status = new.status
            self[index].lastTransitionTime = new.hasTransitionTime ? new.lastTransitionTime : now
            changed = true
        }
        if self[index].reason != new.reason {
            self[index].reason = new.reason
            changed = true
        }
        if self[index].message != new.message {
            self[index].message = new.message
            changed = true
        }
        if self[index].observedGeneration != new.observedGeneration {
            self[index].observedGeneration = new.observedGeneration
            changed = true
        }
        return changed
    }

    /// The condition of the given type, if the list has one.
    public func condition(ofType type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Removes the condition of the given type.
    ///
    /// - Returns: Whether the list had one.
    @discardableResult
    public mutating func removeCondition(ofType type: String) -> Bool {
        let before = count
        removeAll { $0.type == type }
        return count != before
    }

    /// Whether the list has a condition of the given type whose status is `True`.
    public func isTrue(_ type: String) -> Bool {
        condition(ofType: type)?.status == .true
    }

    /// Whether the list has a condition of the given type whose status is `False`.
    ///
    /// A missing condition is neither true nor false.
    public func isFalse(_ type: String) -> Bool {
        condition(ofType: type)?.status == .false
    }
}
