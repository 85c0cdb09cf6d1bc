public import GiterCodec

/// One field-level problem, worded like the Kubernetes API server:
/// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem; its raw value is the API server's wording.
    public enum Kind: String, Sendable {
        case invalid = "Invalid value"
        case required = "Required value"
        case unsupported = "Unsupported value"
        case duplicate = "Duplicate value"
        case tooLong = "Too long"
        case tooMany = "Too many"
        case unknownField = "Unknown field"
        case forbidden = "Forbidden"
    }

    /// The field's path: `spec.replicas`, `spec.items[2].name`, `status.conditions[0].type`.
    public var field: String
    /// The kind of problem.
    public var kind: Kind
    /// The bad value as short text (JSON-ish), when there is one.
    public var value: String?
    /// What the value must be: `must be greater than or equal to 0`.
    public var detail: String
    /// Where the value starts (or the parent mapping, for a missing field),
    /// when the document was read from text.
    public var location: SourceLocation?

    public init(field: String, kind: Kind, value: String? = nil, detail: String = "", location: SourceLocation? = nil) {
        self.field = field
        self.kind = kind
        self.value = value
        self.detail = detail
        self.location = location
    }

    /// `FIELD: KIND: VALUE: DETAIL`, as the API server prints it. The value is
    /// left out for required, forbidden, too-long and unknown-field errors,
    /// as the API server does.
    public var description: String {
        var text = "\(field): \(kind.rawValue)"
        switch kind {
        case .required, .forbidden, .tooLong, .unknownField: break
        default: if let value { text += ": \(value)" }
        }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
