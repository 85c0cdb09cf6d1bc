/// Kubernetes' rules for names, versions, kinds, label keys and values,
/// checked on UTF-8 bytes without regular expressions.
///
/// Each `check…` function returns the problems it finds with one value
/// (none when the value is fine), reported at `field`.
enum NameRules {
    static let maxLabelLength = 63
    static let maxSubdomainLength = 253
    static let maxKindLength = 63
    static let maxConditionTypeLength = 316
    static let maxReasonLength = 1024
    static let maxMessageLength = 32768
    static let maxAnnotationsSize = 256 * 1024

    // MARK: Resource identity

    /// A resource name: an RFC 1123 subdomain.
    static func checkName(_ value: String, field: String) -> [ValidationError] {
        if value.isEmpty {
            return [
                ValidationError(
                    .required,
                    field: field,
                    value: nil,
                    message: "every resource needs a name; set it to a lowercase name such as \"nightly-report\""
                )
            ]
        }
        var errors = checkLength(value, max: maxSubdomainLength, field: field, what: "a name")
        if !isDNS1123Subdomain(value.utf8) {
            errors.append(
                ValidationError(
                    .invalid,
                    field: field,
                    value: value,
                    message: "a name must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', "
                        + "starting and ending with a letter or digit, with a letter or digit on each side of every "
                        + "'.' (for example \"nightly-report\" or \"report.v2\")"
                )
            )
        }
        return errors
    }

    /// A namespace: an RFC 1123 label.
    static func checkNamespace(_ value: String, field: String) -> [ValidationError] {
        if value.isEmpty {
            return [
                ValidationError(
                    .required,
                    field: field,
                    value: nil,
                    message: "a namespace must not be empty; leave it out to use \"\(ObjectMeta.defaultNamespace)\""
                )
            ]
        }
        var errors = checkLength(value, max: maxLabelLength, field: field, what: "a namespace")
        if !isDNS1123Label(value.utf8) {
            errors.append(
                ValidationError(
                    .invalid,
                    field: field,
                    value: value,
                    message: "a namespace must be a lowercase RFC 1123 label: lowercase letters, digits and '-', "
                        + "starting and ending with a letter or digit (for example \"reports\")"
                )
            )
        }
        return errors
    }

    /// A kind: an ASCII letter in uppercase, then ASCII letters and digits.
    static func checkKind(_ value: String, field: String) -> [ValidationError] {
        if value.isEmpty {
            return [
                ValidationError(
                    .required,
                    field: field,
                    value: nil,
                    message: "every resource needs a kind; set it to an UpperCamelCase name such as \"Job\""
                )
            ]
        }
        var errors = checkLength(value, max: maxKindLength, field: field, what: "a kind")
        let bytes = value.utf8
        let valid = bytes.first.map(isUpper) == true && bytes.allSatisfy { isUpper($0) || isLower($0) || isDigit($0) }
        if !valid {
            errors.append(
                ValidationError(
                    .invalid,
                    field: field,
                    value: value,
                    message: "a kind must start with an uppercase ASCII letter followed by ASCII letters and digits "
                        + "(UpperCamelCase, for example \"Job\" or \"ReportRequest\")"
                )
            )
        }
        return errors
    }

    /// An API version: `group/version`, the group a DNS subdomain with at
    /// least one dot, the version an RFC 1035 label (`v1`, `v1beta2`).
    static func checkAPIVersion(_ value: String, field: String) -> [ValidationError] {
        let example = "(for example \"batch.example.com/v1\")"
        if value.isEmpty {
            return [
                ValidationError(
                    .required,
                    field: field,
                    value: nil,
                    message: "every resource needs an apiVersion of the form group/version \(example)"
                )
            ]
        }
        guard let slash = value.utf8.lastIndex(of: UInt8(ascii: "/")) else {
            return [
                ValidationError(
                    .invalid,
                    field: field,
                    value: value,
                    message: "an apiVersion must be group/version: a custom resource needs an API group \(example)"
                )
            ]
        }
        let group = value.utf8[..<slash]
        let version = value.utf8[value.utf8.index(after: slash)...]
        var errors: [ValidationError] = []
        if group.isEmpty || group.count > maxSubdomainLength || !isDNS1123Subdomain(group)
            || !group.contains(UInt8(ascii: "."))
        {
            errors.append(
                ValidationError(
                    .invalid,
                    field: field,
                    value: value,
                    message: "the API group must be a lowercase DNS name with at least one '.', at most "
                        + "\(maxSubdomainLength) characters, usually a domain you own \(example)"
                )
            )
        }
        if version.isEmpty || version.count > maxLabelLength || !isDNS1035Label(version) {
            errors.append(
                ValidationError(
                    .invalid,
                    field: field,
                    value: value,
                    message: "the version after '/' must be a lowercase letter followed by lowercase letters, "
                        + "digits and '-', at most \(maxLabelLength) characters (for example \"v1\" or \"v1beta2\")"
                )
            )
        }
        return errors
    }

    // MARK: Labels, annotations, finalizers

    /// A label or annotation key, a finalizer or a condition type: an
    /// optional DNS subdomain prefix and `/`, then a name of at most 63
    /// characters.
    static func checkQualifiedName(
        _ value: String,
        field: String,
        what: String,
        maxLength: Int? = nil
    ) -> [ValidationError] {
        let rule =
            "\(what) must be a name of at most \(maxLabelLength) letters, digits, '-', '_' and '.', "
            + "starting and ending with a letter or digit, optionally after a lowercase DNS prefix and '/' "
            + "(for example \"app\" or \"example.com/app\")"
        if value.isEmpty {
            return [ValidationError(.required, field: field, value: nil, message: "\(what) must not be empty")]
        }
        var errors: [ValidationError] = []
        if let maxLength { errors += checkLength(value, max: maxLength, field: field, what: what) }
        let parts = value.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let valid: Bool
        switch parts.count {
        case 1:
            valid = isQualifiedNamePart(parts[0])
        case 2:
            valid =
                parts[0].count <= maxSubdomainLength && isDNS1123Subdomain(parts[0])
                && isQualifiedNamePart(parts[1])
        default:
            valid = false
        }
        if !valid { errors.append(ValidationError(.invalid, field: field, value: value, message: rule)) }
        return errors
    }

    /// A label value: empty, or at most 63 letters, digits, '-', '_' and
    /// '.', starting and ending with a letter or digit.
    static func checkLabelValue(_ value: String, field: String) -> [ValidationError] {
        let bytes = value.utf8
        if bytes.isEmpty || (bytes.count <= maxLabelLength && isQualifiedNamePart(bytes[...])) { return [] }
        return [
            ValidationError(
                .invalid,
                field: field,
                value: value,
                message: "a label value must be empty or at most \(maxLabelLength) letters, digits, '-', '_' and '.', "
                    + "starting and ending with a letter or digit; put longer or free-form text in an annotation"
            )
        ]
    }

    // MARK: Conditions

    /// A condition reason: a letter, then letters, digits, '_', ',' and ':',
    /// not ending with ',' or ':'.
    static func checkReason(_ value: String, field: String) -> [ValidationError] {
        if value.isEmpty {
            return [
                ValidationError(
                    .required,
                    field: field,
                    value: nil,
                    message: "a condition needs a reason, an UpperCamelCase word such as \"ReportPublished\""
                )
            ]
        }
        var errors = checkLength(value, max: maxReasonLength, field: field, what: "a reason")
        let bytes = value.utf8
        let valid =
            bytes.first.map(isLetter) == true
            && bytes.allSatisfy {
                isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ",")
                    || $0 == UInt8(ascii: ":")
            }
            && bytes.last.map { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") } == true
        if !valid {
            errors.append(
                ValidationError(
                    .invalid,
                    field: field,
                    value: value,
                    message: "a reason must start with a letter and hold only letters, digits, '_', ',' and ':', "
                        + "ending with a letter, digit or '_' (UpperCamelCase, for example \"ReportPublished\"); "
                        + "put details in the message"
                )
            )
        }
        return errors
    }

    // MARK: Shared pieces

    static func checkLength(_ value: String, max: Int, field: String, what: String) -> [ValidationError] {
        let length = value.unicodeScalars.count
        guard length > max else { return [] }
        return [
            ValidationError(
                .tooLong,
                field: field,
                value: value,
                message: "\(what) must be at most \(max) characters, not \(length); choose a shorter one"
            )
        ]
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, without a length check.
    static func isDNS1123Label<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, isLowerAlphanumeric(first) else { return false }
        var last = first
        for byte in bytes {
            guard isLowerAlphanumeric(byte) || byte == UInt8(ascii: "-") else { return false }
            last = byte
        }
        return isLowerAlphanumeric(last)
    }

    /// RFC 1123 labels joined by '.', without a length check.
    static func isDNS1123Subdomain<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        where !isDNS1123Label(label) {
            return false
        }
        return true
    }

    /// `[a-z]([-a-z0-9]*[a-z0-9])?`, without a length check.
    static func isDNS1035Label<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, isLower(first) else { return false }
        return isDNS1123Label(bytes)
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 bytes.
    static func isQualifiedNamePart<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard bytes.count <= maxLabelLength, let first = bytes.first, isAlphanumeric(first) else { return false }
        var last = first
        for byte in bytes {
            guard
                isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: ".")
            else { return false }
            last = byte
        }
        return isAlphanumeric(last)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    static func isLetter(_ byte: UInt8) -> Bool { isLower(byte) || isUpper(byte) }
    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { isLower(byte) || isDigit(byte) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
}
