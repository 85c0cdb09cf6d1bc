/// A point in a store's history: for a Git store, a commit id.
///
/// Revisions are opaque: compare them for equality and hand them back to
/// ``ResourceStore/changes(since:)``.
public struct StoreRevision: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The revision's text: a commit id for Git stores.
    public var rawValue: String

    /// A revision from its text.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
