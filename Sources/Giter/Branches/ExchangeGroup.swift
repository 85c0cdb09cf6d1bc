/// The name of one exchange kept on a branch of its own (see
/// ``ExchangeBranches``): one resource, or a group of resources the host
/// app names.
///
/// The group `g` lives on the branch `giter/x/g` (the ref
/// `refs/heads/giter/x/g`) while it is live, and under the ref
/// `refs/giter/archive/g` once archived. The prefixes are fixed, so the
/// guard, `giter verify` and every reader agree on them without any
/// setting.
///
/// A name is 1 to 200 characters of ASCII letters, digits, `.`, `_` and
/// `-`, starting and ending with a letter or digit, without `..` and not
/// ending in `.lock`: one component of a ref name that Git accepts
/// everywhere, and that no server rewrites.
public struct ExchangeGroup: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The name, such as `lab.Experiment.exp-1`.
    public let rawValue: String

    /// The group `name`.
    ///
    /// - Throws: ``TransportError`` with code ``TransportError/Code/invalidArgument``
    ///   when `name` breaks the rules above; the message says which.
    public init(_ name: String) throws(TransportError) {
        if let problem = Self.problem(with: name) {
            throw TransportError(.invalidArgument, "'\(name)' cannot name an exchange branch: \(problem)")
        }
        rawValue = name
    }

    /// The group of one resource: `<namespace>.<Kind>.<name>`. Kubernetes
    /// names (DNS-1123) and kinds always make a valid group name.
    public init(key: ResourceKey) throws(TransportError) {
        try self.init("\(key.namespace).\(key.kind).\(key.name)")
    }

    /// The exchange branch's short name, `giter/x/<group>`, as
    /// ``RemoteConfiguration/branch`` takes it.
    public var branch: String { Self.branchPrefix + rawValue }

    /// The live exchange branch's ref, `refs/heads/giter/x/<group>`.
    public var reference: RemoteReferenceName { RemoteReferenceName(trusted: Self.referencePrefix + rawValue) }

    /// The ref that holds the exchange once archived, `refs/giter/archive/<group>`.
    public var archiveReference: RemoteReferenceName { RemoteReferenceName(trusted: Self.archivePrefix + rawValue) }

    public var description: String { rawValue }

    public static func < (lhs: ExchangeGroup, rhs: ExchangeGroup) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The group whose live branch or archive is the ref `reference`; `nil`
    /// when the ref is neither or its name breaks the rules.
    public init?(reference: String) {
        for prefix in [Self.referencePrefix, Self.archivePrefix] where reference.hasPrefix(prefix) {
            guard let group = try? ExchangeGroup(String(reference.dropFirst(prefix.count))) else { return nil }
            self = group
            return
        }
        return nil
    }

    /// The prefix of every exchange branch's short name.
    public static let branchPrefix = "giter/x/"
    /// The prefix of every live exchange branch's ref.
    public static let referencePrefix = "refs/heads/" + branchPrefix
    /// The prefix of every archived exchange's ref.
    public static let archivePrefix = "refs/giter/archive/"

    /// The longest name.
    public static let maximumLength = 200

    static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "the name is empty" }
        guard name.utf8.count <= maximumLength else { return "longer than \(maximumLength) characters" }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        let bytes = Array(name.utf8)
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { return "use only ASCII letters, digits, '.', '_' and '-'" }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return "start and end with a letter or digit"
        }
        if name.contains("..") { return "'..' is not allowed" }
        if name.hasSuffix(".lock") { return "a name ending in '.lock' is not allowed" }
        return nil
    }
}
