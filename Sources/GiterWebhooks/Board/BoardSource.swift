public import Foundation
public import Giter

/// What a ``Board`` shows, read from an exchange: a host app or the `giter`
/// tool conforms to it, and the board renders and serves the answers.
///
/// Both requirements are called on every page request: answer from what is
/// already read (a snapshot kept up to date as commits arrive), never with a
/// fetch per request. Everything in the answers came from the repository and
/// is untrusted: the board escapes all of it.
public protocol BoardSource: Sendable {
    /// Every live resource, with the branch and commit it was read at.
    func overview() async throws -> BoardOverview

    /// One live resource with its spec, status and history; `nil` when the
    /// exchange holds none under `key`.
    func resource(_ key: ResourceKey) async throws -> BoardResource?
}

/// One row of the board: a live resource and its progress.
public struct BoardRow: Sendable, Hashable {
    public var key: ResourceKey
    /// `metadata.generation`: the producer's version of the spec.
    public var generation: Int64
    /// `status.observedGeneration`: the version the consumer last answered; nil before any answer.
    public var observedGeneration: Int64?
    /// `status.conditions`, in the order written.
    public var conditions: [Condition]

    public init(key: ResourceKey, generation: Int64, observedGeneration: Int64?, conditions: [Condition]) {
        self.key = key
        self.generation = generation
        self.observedGeneration = observedGeneration
        self.conditions = conditions
    }

    /// The `Ready` condition, if the status has one.
    public var ready: Condition? { conditions.first { $0.type == "Ready" } }
}

/// A file of the exchange that could not be read, and why.
public struct BoardProblem: Sendable, Hashable {
    /// The file's path in the repository.
    public var path: String
    /// The error, with line and column when the file does not parse.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// The board's first page: every live resource of the exchange.
public struct BoardOverview: Sendable, Hashable {
    /// The branch the exchange lives on.
    public var branch: String
    /// The commit the resources were read at (hex); nil when the branch does not exist yet.
    public var revision: String?
    /// The resources, in any order: the board sorts them by namespace, kind and name.
    public var rows: [BoardRow]
    /// Resource files that could not be read.
    public var problems: [BoardProblem]

    public init(branch: String, revision: String?, rows: [BoardRow], problems: [BoardProblem] = []) {
        self.branch = branch
        self.revision = revision
        self.rows = rows
        self.problems = problems
    }
}

/// One commit of a resource's history, as `giter history` shows it.
public struct BoardHistoryEntry: Sendable, Hashable {
    /// The commit (hex).
    public var commit: String
    /// The author's time.
    public var time: Date
    /// The author, `Name <email>`, as the commit claims.
    public var author: String
    /// The party that wrote it under the contract in force, or `-`.
    public var party: String
    /// Who signed it (`party/member fingerprint`), `unsigned`, or why the signature does not count.
    public var signer: String
    /// What changed: `created (generation 1)`, `status (observedGeneration 1, Ready=True)`, …
    public var change: String

    public init(commit: String, time: Date, author: String, party: String, signer: String, change: String) {
        self.commit = commit
        self.time = time
        self.author = author
        self.party = party
        self.signer = signer
        self.change = change
    }
}

/// A resource's page: its row, its spec and status as YAML, and its history.
public struct BoardResource: Sendable, Hashable {
    public var row: BoardRow
    /// The commit it was read at (hex).
    public var revision: String?
    /// `spec` as YAML text.
    public var spec: String
    /// `status` as YAML text; nil before the consumer wrote one.
    public var status: String?
    /// The commits that changed it, oldest first.
    public var history: [BoardHistoryEntry]

    public init(row: BoardRow, revision: String?, spec: String, status: String?, history: [BoardHistoryEntry]) {
        self.row = row
        self.revision = revision
        self.spec = spec
        self.status = status
        self.history = history
    }
}
