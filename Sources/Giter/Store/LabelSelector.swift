/// Kubernetes' label selector, equality- and set-based:
/// `app=web,tier!=cache,canary,!legacy,env in (prod,staging),zone notin (a)`.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// One requirement of a selector.
    public enum Requirement: Sendable, Hashable {
        /// The label exists with this value.
        case equals(String, String)
        /// The label is absent or has another value.
        case notEquals(String, String)
        /// The label exists.
        case exists(String)
        /// The label is absent.
        case doesNotExist(String)
        /// The label exists with one of these values (`key in (a,b)`).
        case isIn(String, Set<String>)
        /// The label is absent or has none of these values (`key notin (a,b)`).
        case notIn(String, Set<String>)

        /// The label key the requirement is about.
        public var key: String {
            switch self {
            case .equals(let key, _), .notEquals(let key, _), .exists(let key), .doesNotExist(let key),
                .isIn(let key, _), .notIn(let key, _):
                key
            }
        }
    }

    /// Every requirement must hold.
    public var requirements: [Requirement]

    /// A selector from its requirements; the empty selector matches everything.
    public init(_ requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// Parses requirements separated by commas, as kubectl's `-l` does:
    /// `key=value`, `key==value`, `key!=value`, `key`, `!key`,
    /// `key in (v1,v2)` and `key notin (v1,v2)` (the commas inside the
    /// parentheses separate values, not requirements).
    ///
    /// - Throws: ``ValidationErrors`` naming the requirement that is not one of those.
    public init(parsing text: String) throws(ValidationErrors) {
        var requirements: [Requirement] = []
        var errors: [ValidationError] = []
        func invalid(_ message: String) {
            errors.append(ValidationError(.invalid, field: "selector", value: text, message: message))
        }
        let usage = "write key=value, key!=value, key, !key, key in (v1,v2) or key notin (v1,v2), separated by commas"
        guard let parts = Self.requirementTexts(text) else {
            throw ValidationErrors([
                ValidationError(
                    .invalid, field: "selector", value: text,
                    message: "unbalanced parentheses in '\(text)'; \(usage)")
            ])
        }
        for item in parts {
            if let set = Self.setRequirement(item) {
                let values = set.values.split(separator: ",", omittingEmptySubsequences: false).map(\.trimmingSpaces)
                if values.allSatisfy(\.isEmpty) {
                    invalid("'\(item)' has no values; give at least one inside the parentheses")
                } else if let bad = values.first(where: { !Self.isValue($0) }) {
                    invalid("'\(bad)' in '\(item)' is not a label value; \(usage)")
                }
                requirements.append(set.negated ? .notIn(set.key, Set(values)) : .isIn(set.key, Set(values)))
            } else if item.contains("(") || item.contains(")") {
                invalid("'\(item)' is not a requirement; \(usage)")
            } else if let range = item.firstRange(of: "!=") {
                requirements.append(.notEquals(item[..<range.lowerBound].trimmingSpaces, item[range.upperBound...].trimmingSpaces))
            } else if let range = item.firstRange(of: "==") ?? item.firstRange(of: "=") {
                requirements.append(.equals(item[..<range.lowerBound].trimmingSpaces, item[range.upperBound...].trimmingSpaces))
            } else if item.hasPrefix("!") {
                requirements.append(.doesNotExist(item.dropFirst().trimmingSpaces))
            } else {
                requirements.append(.exists(item))
            }
        }
        for requirement in requirements {
            let key = requirement.key
            if key.isEmpty || key.contains(where: { $0 == " " || $0 == "=" || $0 == "!" || $0 == "(" || $0 == ")" }) {
                invalid("'\(key)' is not a label key; \(usage)")
            }
        }
        if !errors.isEmpty { throw ValidationErrors(errors) }
        self.requirements = requirements
    }

    /// The requirements of `text`, split at the commas outside parentheses
    /// and trimmed; `nil` when the parentheses do not balance.
    private static func requirementTexts(_ text: String) -> [String]? {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth < 0 { return nil }
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        guard depth == 0 else { return nil }
        parts.append(current)
        return parts.map { Substring($0).trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// `key in (values)` or `key notin (values)` as its parts.
    private static func setRequirement(_ item: String) -> (key: String, negated: Bool, values: String)? {
        guard item.hasSuffix(")"), let open = item.firstIndex(of: "(") else { return nil }
        let head = item[..<open].split(separator: " ", omittingEmptySubsequences: true)
        guard head.count == 2, head[1] == "in" || head[1] == "notin" else { return nil }
        let values = item[item.index(after: open)..<item.index(before: item.endIndex)]
        return (String(head[0]), head[1] == "notin", String(values))
    }

    private static func isValue(_ value: String) -> Bool {
        !value.contains(where: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "=" || $0 == "!" })
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .exists(let key): labels[key] != nil
            case .doesNotExist(let key): labels[key] == nil
            case .isIn(let key, let values): labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): !(labels[key].map(values.contains) ?? false)
            }
        }
    }

    public var description: String {
        requirements.map { requirement in
            switch requirement {
            case .equals(let key, let value): "\(key)=\(value)"
            case .notEquals(let key, let value): "\(key)!=\(value)"
            case .exists(let key): key
            case .doesNotExist(let key): "!\(key)"
            case .isIn(let key, let values): "\(key) in (\(values.sorted().joined(separator: ",")))"
            case .notIn(let key, let values): "\(key) notin (\(values.sorted().joined(separator: ",")))"
            }
        }.joined(separator: ",")
    }
}
