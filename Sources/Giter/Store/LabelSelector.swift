/// Kubernetes' equality-based label selector: `app=web,tier!=cache,canary,!legacy`.
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
    }

    /// Every requirement must hold.
    public var requirements: [Requirement]

    /// A selector from its requirements; the empty selector matches everything.
    public init(_ requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// Parses `key=value`, `key==value`, `key!=value`, `key` and `!key`
    /// requirements separated by commas.
    ///
    /// - Throws: ``ValidationErrors`` naming the requirement that is not one of those.
    public init(parsing text: String) throws(ValidationErrors) {
        var requirements: [Requirement] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let item = part.trimmingSpaces
            if let range = item.firstRange(of: "!=") {
                requirements.append(.notEquals(item[..<range.lowerBound].trimmingSpaces, item[range.upperBound...].trimmingSpaces))
            } else if let range = item.firstRange(of: "==") ?? item.firstRange(of: "=") {
                requirements.append(.equals(item[..<range.lowerBound].trimmingSpaces, item[range.upperBound...].trimmingSpaces))
            } else if item.hasPrefix("!") {
                requirements.append(.doesNotExist(item.dropFirst().trimmingSpaces))
            } else {
                requirements.append(.exists(item))
            }
        }
        var errors: [ValidationError] = []
        for requirement in requirements {
            let key: String
            switch requirement {
            case .equals(let name, _), .notEquals(let name, _), .exists(let name), .doesNotExist(let name): key = name
            }
            if key.isEmpty || key.contains(where: { $0 == " " || $0 == "=" || $0 == "!" }) {
                errors.append(
                    ValidationError(
                        .invalid, field: "selector", value: text,
                        message: "'\(key)' is not a label key; write key=value, key!=value, key or !key, separated by commas"))
            }
        }
        if !errors.isEmpty { throw ValidationErrors(errors) }
        self.requirements = requirements
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .exists(let key): labels[key] != nil
            case .doesNotExist(let key): labels[key] == nil
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
            }
        }.joined(separator: ",")
    }
}
