// TEMPORARY STAND-IN (helper F, issue 10): the lead replaces this file with
// the real guard. Same public shape as agreed in the contract API; this one
// only reads what the real one reads, so a reader that cannot see the
// quarantined objects throws and the push is refused, and it finds no
// violation.

/// One ref update of a push, as git gives it to a `pre-receive` hook:
/// `nil` for an all-zero id (a created or deleted ref).
public struct RefUpdate: Sendable, Hashable {
    public var old: ObjectID?
    public var new: ObjectID?
    /// The full ref name (`refs/heads/main`).
    public var name: String

    public init(old: ObjectID?, new: ObjectID?, name: String) {
        self.old = old
        self.new = new
        self.name = name
    }
}

/// Judges a push on the server, before any ref moves.
public struct PushGuard: Sendable {
    let reader: any RepositoryReader
    let branch: String
    let pusher: String?

    /// A guard reading the pushed objects through `reader`, judging the
    /// exchange branch `branch` (a short name, `main`), for the user the
    /// server says pushed (`nil` when it does not say).
    public init(reader: any RepositoryReader, branch: String, pusher: String?) {
        self.reader = reader
        self.branch = branch
        self.pusher = pusher
    }

    /// The violations that make git refuse the whole push; empty: accept.
    ///
    /// Stand-in: reads every new commit of the branch, its whole tree and
    /// every changed blob; throws when one cannot be read; finds nothing.
    public func check(_ updates: [RefUpdate]) async throws -> [ContractViolation] {
        for update in updates where update.name == "refs/heads/\(branch)" {
            guard let new = update.new else { continue }
            for commit in try await reader.commits(from: new, excluding: update.old, limit: nil) {
                _ = try await reader.treeEntries(at: commit.id, under: nil)
                for change in try await reader.changes(from: commit.parents.first, to: commit.id, under: nil) {
                    if let id = change.newID { _ = try await reader.blob(id) }
                }
            }
        }
        return []
    }
}

/// One broken rule of the contract.
public struct ContractViolation: Sendable, Hashable, CustomStringConvertible {
    /// The commit that broke it; `nil` for a violation of the push as a whole.
    public var commit: ObjectID?
    /// The repository path; `nil` for a violation of the whole commit.
    public var path: String?
    public var rule: String
    public var message: String

    public init(commit: ObjectID?, path: String?, rule: String, message: String) {
        self.commit = commit
        self.path = path
        self.rule = rule
        self.message = message
    }

    /// `<commit> <path>: <rule>: <message>`, `-` for a missing commit or path.
    public var description: String {
        "\(commit?.hex ?? "-") \(path ?? "-"): \(rule): \(message)"
    }
}
