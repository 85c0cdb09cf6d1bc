package import Giter

/// Why a ref update in a repository was refused, read from what Git,
/// receive-pack or libgit2 said: the one classification of server and
/// receive-pack messages for both backends.
///
/// A lost race is ``Giter/PushOutcome/conflict(message:)`` (fetch,
/// re-apply, push again), a held lock ``Giter/PushOutcome/locked(message:)``
/// (wait, within a bound); a refusal by the server's rules is
/// ``Giter/PushOutcome/rejected(message:)``. What is not recognised is a
/// rejection (the server refused, for a reason of its own; see
/// ``pushOutcome(message:)``). The direct route's own compare-and-swap
/// needs no reading: ``ReferenceLock/update(from:to:)`` says what happened.
package enum RefUpdateFailure: Equatable, Sendable {
    /// The ref was not at the expected value: another writer moved it first.
    case lostRace
    /// Another writer held the ref's lock file (``ReferenceLock``).
    case locked
    /// The server's rules refused the update (a hook, a `receive.deny*` setting).
    case refused
    /// None of the above.
    case unrecognized

    /// Per-ref reasons (`ng <ref> <reason>`, `git push --porcelain` summaries)
    /// and Git's ref-update errors that mean the ref moved under the writer.
    package static let lostRaceMarkers = [
        "stale info", "fetch first", "non-fast-forward", "failed to update ref", "but expected", "already exists",
        "incorrect old value", "reference is missing", "failed to lock", "cannot lock ref",
    ]

    /// What Git and libgit2 say when a ref's lock file is held by another writer.
    package static let lockMarkers = [".lock': file exists", ".lock exists", "failed to lock file", "is locked"]

    /// Per-ref reasons of receive-pack that name one of the server's rules.
    package static let refusalMarkers = [
        "hook declined", "denying ", "funny refname", "shallow update not allowed", "not allowed",
    ]

    /// Classifies a refused ref update from `status` — the per-ref reason
    /// (`failed to update ref`, `[rejected] (stale info)`) or Git's error
    /// (`fatal: cannot lock ref …`) — and `serverLines`, what the server
    /// printed beside it (`remote: error: cannot lock ref …`).
    ///
    /// Only Git's own error lines count among `serverLines` (those that
    /// mention `cannot lock ref '`), so a hook's words cannot turn a
    /// refusal into a lost race.
    package init(status: String, serverLines: [String] = []) {
        let reason = status.lowercased()
        let details = serverLines.map { $0.lowercased() }.filter { $0.contains("cannot lock ref '") }
        let texts = [reason] + details
        func says(_ markers: [String]) -> Bool { texts.contains { text in markers.contains { text.contains($0) } } }
        if says(Self.lockMarkers) {
            self = .locked
        } else if says(Self.lostRaceMarkers) {
            self = .lostRace
        } else if Self.refusalMarkers.contains(where: { reason.contains($0) }) {
            self = .refused
        } else {
            self = .unrecognized
        }
    }

    /// The failure of a push whose refs failed with `failures`: a held lock
    /// before a lost race, a lost race before a refusal.
    package init(combining failures: [RefUpdateFailure]) {
        let order: [RefUpdateFailure] = [.locked, .lostRace, .refused]
        self = order.first(where: failures.contains) ?? .unrecognized
    }

    /// Whether the writer should fetch and try again (a lost race).
    package var isConflict: Bool { self == .lostRace }

    /// The outcome of a push the server refused with `message`.
    package func pushOutcome(message: String) -> PushOutcome {
        switch self {
        case .lostRace: .conflict(message: message)
        case .locked: .locked(message: Self.lockedMessage(message))
        case .refused, .unrecognized: .rejected(message: message)
        }
    }

    /// What a push says when the server's ref lock was held: its words, and what to do.
    static func lockedMessage(_ message: String) -> String {
        "the branch is locked on the remote (a push is running there, or one was killed and left its lock file): "
            + "\(message); if it stays locked, the lock file named above must be removed on the server"
    }

    /// What a push says when the ref is not at the expected value.
    package static func lostRaceMessage(reference: String, current: ObjectID?, expected: ObjectID?) -> String {
        "\(reference) is at \(current?.hex ?? "nothing (missing)") on the remote, "
            + "expected \(expected?.hex ?? "nothing (missing)")"
    }
}
