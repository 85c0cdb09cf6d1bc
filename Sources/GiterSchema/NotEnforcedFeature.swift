public import GiterCodec

/// A feature of a CustomResourceDefinition that Giter does not enforce (a
/// CEL rule, a conversion webhook, a pattern the matcher cannot handle, an
/// unknown format…): reported, never silently passed.
public struct NotEnforcedFeature: Sendable, Hashable, CustomStringConvertible {
    /// The resource field the feature applies to (`spec.replicas`), or the
    /// definition's own field for a feature of the whole definition
    /// (`spec.conversion.strategy`).
    public var field: String
    /// What is not enforced, and why: `x-kubernetes-validations (CEL rules)`.
    public var feature: String
    /// Where the feature is written in the definition's file.
    public var location: SourceLocation?

    public init(field: String, feature: String, location: SourceLocation? = nil) {
        self.field = field
        self.feature = feature
        self.location = location
    }

    /// `FIELD: FEATURE is not enforced`.
    public var description: String { "\(field.isEmpty ? "<root>" : field): \(feature) is not enforced" }
}
