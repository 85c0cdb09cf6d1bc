/// One field of a resource that breaks one of Kubernetes' rules.
///
/// ``description`` reads like Kubernetes' own field errors, naming the field
/// path, the offending value, the rule and what to do:
///
/// ```
/// metadata.name: invalid value "../x": must be a lowercase RFC 1123 subdomain: …
/// ```
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the error reports. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case required
            case invalid
            case tooLong
            case duplicate
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The field is missing or empty.
        public static let required = Code(.required)
        /// The value does not have the required form.
        public static let invalid = Code(.invalid)
        /// The value is longer than allowed.
        public static let tooLong = Code(.tooLong)
        /// The value appears twice where it must be unique.
        public static let duplicate = Code(.duplicate)

        public var description: String {
            switch base {
            case .required: "required value"
            case .invalid: "invalid value"
            case .tooLong: "value too long"
            case .duplicate: "duplicate value"
            }
        }
    }

    /// What kind of problem this is.
    public var code: Code
    /// The path of the field, as Kubernetes writes it: `metadata.name`,
    /// `metadata.labels[app]`, `status.conditions[1].reason`.
    public var field: String
    /// The offending value, or `nil` when the field is missing.
    public var value: String?
    /// The rule that failed and what to do about it.
    public var message: String

    public init(_ code: Code, field: String, value: String?, message: String) {
        self.code = code
        self.field = field
        self.value = value
        self.message = message
    }

    /// `FIELD: CODE "VALUE": MESSAGE`. Values longer than 80 characters are
    /// shortened with `…`; control characters, quotes and backslashes are escaped.
    public var description: String {
        guard let value else { return "\(field): \(code): \(message)" }
        return "\(field): \(code) \(Self.quoted(value)): \(message)"
    }

    private static func quoted(_ value: String) -> String {
        var result = "\""
        for (index, scalar) in value.unicodeScalars.enumerated() {
            if index == 80 {
                result += "…"
                break
            }
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// Every problem that validating a resource found, in field order.
///
/// ``description`` lists one ``ValidationError`` per line.
public struct ValidationErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems; never empty when thrown.
    public var errors: [ValidationError]

    public init(_ errors: [ValidationError]) { self.errors = errors }

    /// The fields that have problems, in order, each once.
    public var fields: [String] {
        var seen = Set<String>()
        return errors.map(\.field).filter { seen.insert($0).inserted }
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
