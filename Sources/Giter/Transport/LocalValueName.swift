/// The name of a value the SDK keeps in a transport's mirror for itself,
/// such as how far a store checked the history
/// (``Transport/localValue(named:)``, ``Transport/storeLocalValue(_:named:)``).
///
/// A mirror on disk keeps the value as a blob that the ref ``reference``
/// (`refs/giter/<name>`) points at: the backend writes it with its own
/// object and ref plumbing, the core never writes into the mirror folder,
/// and the ref stays outside the fetch refspec (only the branch is fetched
/// into the mirror, and only the branch is pushed), so the value stays on
/// this machine.
///
/// A name is one or more `/`-separated components that Git accepts in a ref
/// name: none empty, none starting with `.` or ending with `.lock` or `.`,
/// no `..`, `@{`, control characters, spaces or any of `~^:?*[\`.
public struct LocalValueName: Sendable, Hashable, CustomStringConvertible {
    /// The name, such as `checkpoints/Job/main`.
    public let rawValue: String

    /// The name `rawValue`.
    ///
    /// - Throws: ``TransportError`` with code ``TransportError/Code/invalidArgument``
    ///   when `rawValue` cannot name a ref.
    public init(_ rawValue: String) throws(TransportError) {
        guard Self.isValid(rawValue) else {
            throw TransportError(
                .invalidArgument,
                "'\(rawValue)' cannot name a local value: use '/'-separated parts that Git accepts in a ref name"
                    + " (none empty, starting with '.', ending with '.' or '.lock'; no '..', '@{', spaces,"
                    + " control characters or any of ~^:?*[\\)")
        }
        self.rawValue = rawValue
    }

    /// The ref that points at the value's blob in a mirror: `refs/giter/<name>`.
    public var reference: String { Self.namespace + rawValue }

    public var description: String { rawValue }

    /// The refs under which mirrors keep local values.
    public static let namespace = "refs/giter/"

    private static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, !name.contains("@{"), !name.contains("..") else { return false }
        let forbidden = Set("~^:?*[\\".unicodeScalars)
        if name.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || forbidden.contains($0) }) {
            return false
        }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && !part.hasPrefix(".") && !part.hasSuffix(".") && !part.hasSuffix(".lock")
        }
    }
}
