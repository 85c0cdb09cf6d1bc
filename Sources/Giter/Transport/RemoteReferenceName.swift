/// The name of a ref on the remote beside the exchange branch, such as a
/// lease (`refs/giter/leases/<name>`): read with
/// ``Transport/fetchReference(_:)`` and moved with
/// ``Transport/pushReference(_:to:expecting:)``.
///
/// Only refs under `refs/giter/` can be named, and the exchange branches
/// of ``ExchangeGroup/reference`` (`refs/heads/giter/x/<group>`), so no
/// such ref is the main branch, another branch or a tag. A mirror keeps what it fetched of the ref under the same name;
/// local values (``LocalValueName``) live under `refs/giter/` too, so the
/// SDK keeps its own local values out of `refs/giter/leases/`.
public struct RemoteReferenceName: Sendable, Hashable, CustomStringConvertible {
    /// The full ref name, such as `refs/giter/leases/consumer`.
    public let rawValue: String

    /// The most refs ``Transport/listReferences(under:)`` returns: a remote
    /// that lists more under the prefixes asked for is refused
    /// (``TransportError/Code/backend``) rather than read without bound.
    /// Far above the 5,000 branches a forge handles well.
    public static var listingLimit: Int { 100_000 }

    /// The error of a listing over ``listingLimit``.
    public static func listingTooLong(_ prefixes: [String]) -> TransportError {
        TransportError(
            .backend,
            "the remote lists more than \(listingLimit) refs under \(prefixes.joined(separator: ", ")); "
                + "Giter reads at most that many: archive and collect exchange branches, or ask the server's admin")
    }

    /// The ref `refs/giter/<name>`.
    ///
    /// - Throws: ``TransportError`` with code ``TransportError/Code/invalidArgument``
    ///   when `name` breaks the rules of ``LocalValueName``.
    public init(underGiter name: String) throws(TransportError) {
        rawValue = try LocalValueName(name).reference
    }

    /// A name already checked, such as an exchange group's branch.
    init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    /// The lease ref `refs/giter/leases/<name>`.
    ///
    /// - Throws: ``TransportError`` with code ``TransportError/Code/invalidArgument``
    ///   when `name` is not one ref component Git accepts (see ``LocalValueName``).
    public static func lease(_ name: String) throws(TransportError) -> RemoteReferenceName {
        guard !name.contains("/") else {
            throw TransportError(.invalidArgument, "'\(name)' cannot name a lease: use one name without '/'")
        }
        return try RemoteReferenceName(underGiter: leaseFolder + name)
    }

    /// The lease's name when this is a lease ref; `nil` otherwise.
    public var leaseName: String? {
        let prefix = LocalValueName.namespace + Self.leaseFolder
        guard rawValue.hasPrefix(prefix) else { return nil }
        let name = rawValue.dropFirst(prefix.count)
        return name.contains("/") ? nil : String(name)
    }

    public var description: String { rawValue }

    /// The folder of `refs/giter/` that holds leases.
    static let leaseFolder = "leases/"

    /// Lease refs on the remote: `refs/giter/leases/`.
    public static let leaseNamespace = LocalValueName.namespace + leaseFolder
}
