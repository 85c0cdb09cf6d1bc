/// The two sides of an exchange.
public enum ExchangeRole: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Writes resources' `apiVersion`, `kind`, `metadata` and `spec`;
    /// archives and deletes them.
    case producer
    /// Writes resources' `status`, and nothing else.
    case consumer

    public var description: String { rawValue }
}

/// Who writes: the author and committer of every commit a store makes, and
/// the role it claims.
public struct ExchangeIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The name in commits, for example `Experiment producer`.
    public var name: String
    /// The e-mail address in commits; ``RoleAssignments`` map addresses to roles.
    public var email: String
    /// What this identity writes.
    public var role: ExchangeRole

    /// An identity from its parts.
    public init(name: String, email: String, role: ExchangeRole) {
        self.name = name
        self.email = email
        self.role = role
    }

    /// Parses `Name <email>`, the form `git` prints.
    ///
    /// - Returns: `nil` when `text` is not of that form.
    public init?(parsing text: String, role: ExchangeRole) {
        guard let open = text.lastIndex(of: "<"), text.hasSuffix(">") else { return nil }
        let name = text[..<open].trimmingSpaces
        let email = text[text.index(after: open)..<text.index(before: text.endIndex)].trimmingSpaces
        guard !name.isEmpty, !email.isEmpty, !email.contains("<"), !email.contains(">") else { return nil }
        self.init(name: name, email: email, role: role)
    }

    /// `Name <email>`.
    public var description: String { "\(name) <\(email)>" }
}

/// Which identities hold which role: configuration of each side, used to
/// check every commit a store reads.
///
/// A commit's role is the role of its author's e-mail address. A commit by
/// an address in neither list may write nothing in `resources/`; its
/// changes are reported and ignored. With both lists empty (``open``),
/// the role a commit states in its `Giter-Role` trailer is believed, which
/// suits a single trusted team but proves nothing: name the identities
/// when the two sides are different parties.
public struct RoleAssignments: Sendable, Hashable {
    /// E-mail addresses of producers.
    public var producers: Set<String>
    /// E-mail addresses of consumers.
    public var consumers: Set<String>

    /// Roles from the e-mail addresses that hold them.
    public init(producers: Set<String>, consumers: Set<String>) {
        self.producers = producers
        self.consumers = consumers
    }

    /// No identities named: commits' `Giter-Role` trailers are believed.
    public static var open: RoleAssignments { RoleAssignments(producers: [], consumers: []) }

    /// Whether no identity is named.
    public var isOpen: Bool { producers.isEmpty && consumers.isEmpty }

    /// The role of a commit, or `nil` when its author holds none.
    public func role(of commit: CommitInfo) -> ExchangeRole? {
        let email = commit.author.email
        if isOpen {
            let stated = commit.trailers.last { $0.key == CommitTrailers.role }?.value
            return stated.flatMap(ExchangeRole.init(rawValue:))
        }
        // An address listed for both roles holds neither: such a setup cannot be checked.
        switch (producers.contains(email), consumers.contains(email)) {
        case (true, false): return .producer
        case (false, true): return .consumer
        default: return nil
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        var slice = self
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
