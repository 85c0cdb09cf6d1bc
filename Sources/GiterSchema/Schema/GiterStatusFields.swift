import GiterCodec

/// The `status` fields Giter itself maintains, always allowed whatever the
/// schema says and checked by their own shape: `observedGeneration` (an
/// integer of at least 0), `observedSpecDigest` (a string) and
/// `conditions`, a list of `metav1.Condition`s.
enum GiterStatusFields {
    static let names: Set<String> = ["observedGeneration", "observedSpecDigest", "conditions"]

    static let maxConditionTypeLength = 316
    static let maxReasonLength = 1024
    static let maxMessageLength = 32768
    static let conditionFields = ["type", "status", "observedGeneration", "lastTransitionTime", "reason", "message"]
    static let requiredConditionFields = ["type", "status", "lastTransitionTime", "reason", "message"]

    /// Checks Giter's fields of a `status` mapping.
    static func check(_ status: Node.Mapping, path: String, into validator: inout SchemaValidator) {
        if let generation = status.entry(forKey: "observedGeneration") {
            checkGeneration(generation.value, path: "\(path).observedGeneration", into: &validator)
        }
        if let digest = status["observedSpecDigest"], digest.string == nil {
            validator.add(.invalid, "\(path).observedSpecDigest", digest, "must be of type string", at: digest.location)
        }
        guard let conditions = status["conditions"] else { return }
        let conditionsPath = "\(path).conditions"
        guard let items = conditions.sequence else {
            return validator.add(.invalid, conditionsPath, conditions, "must be of type array", at: conditions.location)
        }
        var seenTypes: Set<String> = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(conditionsPath)[\(index)]"
            guard let condition = item.mapping else {
                validator.add(.invalid, itemPath, item, "must be of type object", at: item.location)
                continue
            }
            check(condition, at: item.location, path: itemPath, into: &validator)
            if let type = condition["type"]?.string, !seenTypes.insert(type).inserted {
                validator.add(.duplicate, "\(itemPath).type", condition["type"], "", at: condition["type"]?.location)
            }
        }
    }

    private static func checkGeneration(_ value: Node, path: String, into validator: inout SchemaValidator) {
        guard let number = value.number, number.isInteger, let generation = number.integer(as: Int64.self) else {
            return validator.add(.invalid, path, value, "must be of type integer", at: value.location)
        }
        if generation < 0 {
            validator.add(.invalid, path, value, "must be greater than or equal to 0", at: value.location)
        }
    }

    /// One `metav1.Condition`.
    private static func check(
        _ condition: Node.Mapping,
        at location: SourceLocation?,
        path: String,
        into validator: inout SchemaValidator
    ) {
        for entry in condition where !conditionFields.contains(entry.key) {
            validator.add(.unknownField, "\(path).\(entry.key)", nil, "", at: entry.keyLocation ?? entry.value.location)
        }
        for name in requiredConditionFields where !condition.contains(key: name) {
            validator.add(.required, "\(path).\(name)", nil, "", at: location)
        }
        func string(_ name: String) -> (Node, String)? {
            guard let value = condition[name] else { return nil }
            guard let text = value.string else {
                validator.add(.invalid, "\(path).\(name)", value, "must be of type string", at: value.location)
                return nil
            }
            return (value, text)
        }
        if let (node, type) = string("type") {
            if type.unicodeScalars.count > maxConditionTypeLength {
                validator.add(
                    .tooLong,
                    "\(path).type",
                    node,
                    "may not be longer than \(maxConditionTypeLength)",
                    at: node.location
                )
            } else if !isQualifiedName(type) {
                validator.add(
                    .invalid,
                    "\(path).type",
                    node,
                    "must be a name of letters, digits, '-', '_' and '.', starting and ending with a letter or digit, "
                        + "optionally after a DNS subdomain and '/' (for example \"Ready\" or \"example.com/Drained\")",
                    at: node.location
                )
            }
        }
        if let (node, status) = string("status"), !["True", "False", "Unknown"].contains(status) {
            validator.add(
                .unsupported,
                "\(path).status",
                node,
                "supported values: \"True\", \"False\", \"Unknown\"",
                at: node.location
            )
        }
        if let generation = condition["observedGeneration"] {
            checkGeneration(generation, path: "\(path).observedGeneration", into: &validator)
        }
        if let (node, time) = string("lastTransitionTime"), !SchemaFormat.dateTime.accepts(time) {
            validator.add(
                .invalid,
                "\(path).lastTransitionTime",
                node,
                "must be of format date-time",
                at: node.location
            )
        }
        if let (node, reason) = string("reason") {
            if reason.unicodeScalars.count > maxReasonLength {
                validator.add(
                    .tooLong,
                    "\(path).reason",
                    node,
                    "may not be longer than \(maxReasonLength)",
                    at: node.location
                )
            } else if !isReason(reason) {
                validator.add(
                    .invalid,
                    "\(path).reason",
                    node,
                    "must start with a letter and hold only letters, digits, '_', ',' and ':', ending with a letter, "
                        + "digit or '_' (UpperCamelCase, for example \"ReportPublished\")",
                    at: node.location
                )
            }
        }
        if let (node, message) = string("message"), message.unicodeScalars.count > maxMessageLength {
            validator.add(
                .tooLong,
                "\(path).message",
                node,
                "may not be longer than \(maxMessageLength)",
                at: node.location
            )
        }
    }

    // MARK: Name rules (metav1.Condition's patterns, checked without a regular expression)

    private static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`
    static func isReason(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, isLetter(first), let last = bytes.last else { return false }
        return (isLetter(last) || isDigit(last) || last == UInt8(ascii: "_"))
            && bytes.allSatisfy {
                isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ",")
                    || $0 == UInt8(ascii: ":")
            }
    }

    /// An optional lowercase DNS subdomain and `/`, then at most 63 letters,
    /// digits, `-`, `_` and `.`, starting and ending with a letter or digit.
    static func isQualifiedName(_ text: String) -> Bool {
        let parts = Array(text.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard let name = parts.last, parts.count <= 2 else { return false }
        if parts.count == 2 {
            let prefix = parts[0]
            guard !prefix.isEmpty, prefix.count <= 253 else { return false }
            let labelsOK = prefix.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy {
                label in
                guard let first = label.first, let last = label.last else { return false }
                let lower = { (byte: UInt8) in (byte >= 0x61 && byte <= 0x7A) || isDigit(byte) }
                return lower(first) && lower(last) && label.allSatisfy { lower($0) || $0 == UInt8(ascii: "-") }
            }
            guard labelsOK else { return false }
        }
        guard let first = name.first, let last = name.last, name.count <= 63 else { return false }
        let alnum = { (byte: UInt8) in isLetter(byte) || isDigit(byte) }
        return alnum(first) && alnum(last)
            && name.allSatisfy {
                alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
    }
}
