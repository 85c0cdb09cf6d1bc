/// The part of a resource document one party owns, and which
/// ``CustomResourceVersion/validate(_:sections:)`` checks.
public enum ResourceSection: Sendable, Hashable {
    /// Every top-level entry except `apiVersion`, `kind`, `metadata` and
    /// `status`: the producer's part (`spec`, and any other top-level
    /// property the schema declares).
    case spec
    /// The `status` entry: the consumer's part.
    case status
}
