#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Who made a commit and when.
public struct Signature: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var email: String
    /// When; Git keeps whole seconds.
    public var date: Date
    /// The author's offset from UTC, in minutes (Git records it with the time).
    public var timeZoneOffsetMinutes: Int

    public init(name: String, email: String, date: Date = Date(), timeZoneOffsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.date = date
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
    }

    /// `Name <email>`, as Git prints an identity.
    public var description: String { "\(name) <\(email)>" }
}

/// A `Key: value` line at the end of a commit message (`git interpret-trailers`).
public struct Trailer: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// One change to the tree of a new commit.
public enum PathEdit: Sendable, Hashable {
    /// Writes `contents` as a regular file at `path`, creating or replacing it.
    case write(path: String, contents: [UInt8])
    /// Removes the file at `path`; removing a path that does not exist, or
    /// is a folder, changes nothing (a delete never removes a folder).
    case delete(path: String)

    /// The path the edit touches.
    public var path: String {
        switch self {
        case .write(let path, _), .delete(let path): path
        }
    }
}

/// What a new commit holds: its parent, the edits to the parent's tree, who
/// wrote it and why.
public struct CommitRequest: Sendable, Hashable {
    /// The parent commit; `nil` for the first commit of a branch.
    public var parent: ObjectID?
    /// The changes to the parent's tree, at most one per path, and none of
    /// a path below another edited path (see ``TreeEditPlan``).
    public var edits: [PathEdit]
    public var author: Signature
    public var committer: Signature
    /// The message, without trailers.
    public var message: String
    /// Trailers appended to the message after a blank line.
    public var trailers: [Trailer]

    public init(
        parent: ObjectID?,
        edits: [PathEdit],
        author: Signature,
        committer: Signature? = nil,
        message: String,
        trailers: [Trailer] = []
    ) {
        self.parent = parent
        self.edits = edits
        self.author = author
        self.committer = committer ?? author
        self.message = message
        self.trailers = trailers
    }

    /// The full commit message: the message, a blank line and the trailers.
    public var fullMessage: String {
        var text = message
        while text.hasSuffix("\n") { text.removeLast() }
        guard !trailers.isEmpty else { return text + "\n" }
        text += "\n\n"
        for trailer in trailers { text += "\(trailer.key): \(trailer.value)\n" }
        return text
    }
}

/// A commit as read back from a repository.
public struct CommitInfo: Sendable, Hashable {
    public var id: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    /// The message, trailers included, as stored.
    public var message: String

    public init(id: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String) {
        self.id = id
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
    }

    /// The trailers of the message's last paragraph.
    public var trailers: [Trailer] {
        let paragraphs = message.split(separator: "\n\n", omittingEmptySubsequences: true)
        guard paragraphs.count > 1, let last = paragraphs.last else { return [] }
        var result: [Trailer] = []
        for line in last.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return [] }
            let key = line[..<colon]
            guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return [] }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            result.append(Trailer(String(key), String(value)))
        }
        return result
    }
}
