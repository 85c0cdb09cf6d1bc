// How the YAML writer chooses a style for a string: the decision that keeps
// PyYAML, go-yaml v2 and v3 (kubectl) and Giter reading back the same string.
//
// Two questions are asked, as go-yaml and libyaml do:
// - the *type* question: would a plain scalar resolve to something other than
//   a string in YAML 1.1 or in the YAML 1.2 core schema (`no`, `1e3`,
//   `2024-01-01`, `12:30`, `~`, `<<`)? Such strings are double-quoted, the
//   way kubectl prints `revision: "1"`.
// - the *structure* question: can the text be a plain scalar at all (no
//   leading indicator, no `: ` or ` #`, no surrounding spaces)? If not it is
//   single-quoted, or double-quoted when it needs escapes.
// Multi-line strings become literal block scalars when every line survives
// unchanged; otherwise they are double-quoted with escapes.

extension YAMLWriter {
    /// The style a string is written in.
    enum ScalarStyle: Hashable {
        case plain
        case singleQuoted
        case doubleQuoted
        /// A literal block scalar `|`; `indentationIndicator` when the first
        /// content line starts with a space, which readers cannot detect.
        case literal(indentationIndicator: Bool)
    }

    /// The style for `bytes`, a string's UTF-8.
    ///
    /// - Parameters:
    ///   - isKey: keys are never block scalars.
    ///   - allowsIndentationIndicator: `false` for a document-level scalar,
    ///     where YAML 1.2 and libyaml/PyYAML disagree on what `|2` means.
    static func style(
        for bytes: UnsafeBufferPointer<UInt8>,
        isKey: Bool,
        allowsIndentationIndicator: Bool = true
    ) -> ScalarStyle {
        let count = bytes.count
        guard count > 0 else { return .doubleQuoted }  // plain "" is null

        var special = false  // needs an escape: control, C1, LS/PS, BOM, non-characters
        var lineBreak = false
        var spaceBeforeBreak = false
        var onlyBreaks = true
        var structural = false  // `: ` or ` #` or a trailing `:`
        var previous: UInt8 = 0
        var index = 0
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case UInt8(ascii: "\n"):
                    lineBreak = true
                    if previous == UInt8(ascii: " ") { spaceBeforeBreak = true }
                case UInt8(ascii: ":"):
                    if index + 1 == count || bytes[index + 1] == UInt8(ascii: " ") { structural = true }
                case UInt8(ascii: "#"):
                    if previous == UInt8(ascii: " ") { structural = true }
                default:
                    if byte < 0x20 || byte == 0x7F { special = true }
                }
                if byte != UInt8(ascii: "\n") { onlyBreaks = false }
            } else {
                onlyBreaks = false
                if escapedSequenceLength(bytes, at: index) > 0 { special = true }
            }
            previous = byte
            index += 1
        }

        if lineBreak && !isKey && !special && !spaceBeforeBreak && !onlyBreaks
            && bytes[count - 1] != UInt8(ascii: " ")
        {
            var first = 0
            while bytes[first] == UInt8(ascii: "\n") { first += 1 }
            let indicator = bytes[first] == UInt8(ascii: " ")
            if !indicator || allowsIndentationIndicator { return .literal(indentationIndicator: indicator) }
        }
        if lineBreak || special { return .doubleQuoted }
        if resolvesToNonString(bytes) { return .doubleQuoted }
        if structural || startsWithIndicator(bytes) || bytes[0] == UInt8(ascii: " ")
            || bytes[count - 1] == UInt8(ascii: " ")
        {
            return .singleQuoted
        }
        return .plain
    }

    /// The length of the non-ASCII character at `index` when it must be
    /// escaped (C1 controls, NEL, LS, PS, BOM, U+FFFE, U+FFFF), else 0.
    /// YAML 1.1 readers take NEL, LS and PS for line breaks, and a BOM or a
    /// C1 control is not printable.
    static func escapedSequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let count = bytes.count
        switch bytes[index] {
        case 0xC2:
            if index + 1 < count, bytes[index + 1] < 0xA0 { return 2 }
        case 0xE2:
            if index + 2 < count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                return 3
            }
        case 0xEF:
            if index + 2 < count,
                (bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF)
                    || (bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE)
            {
                return 3
            }
        default:
            break
        }
        return 0
    }

    /// Whether the text starts like something other than a plain scalar:
    /// an indicator character, `- ` or a lone `-`, or a document marker.
    /// `?x` and `:x` are valid plain scalars in block context, but are
    /// quoted anyway: cheap insurance against readers that get them wrong.
    static func startsWithIndicator(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch bytes[0] {
        case UInt8(ascii: "-"):
            if bytes.count < 2 { return true }
            let next = bytes[1]
            if next <= 0x20 || next >= 0x7F { return true }
            return bytes.count >= 3 && next == UInt8(ascii: "-") && bytes[2] == UInt8(ascii: "-")
        case UInt8(ascii: "."):
            return bytes.count >= 3 && bytes[1] == UInt8(ascii: ".") && bytes[2] == UInt8(ascii: ".")
        case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"),
            UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
            return true
        default:
            return false
        }
    }

    // MARK: The type question

    /// Whether a plain scalar with this text would be read as anything but
    /// this string by a YAML 1.2 core-schema reader (Giter, go-yaml v3) or a
    /// YAML 1.1 reader (PyYAML, go-yaml v2).
    ///
    /// Deliberately a superset of what those readers resolve: null, the
    /// YAML 1.1 booleans, merge `<<` and value `=`, integers and floats of
    /// both versions (underscores, `0b`/`0o`/`0x`, old octal, signs, `.5`,
    /// `1e3`, `.inf`, `.nan`), base-60 numbers (`12:30`) and timestamps.
    static func resolvesToNonString(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first else { return true }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return looksNumeric(bytes) || looksLikeTimestamp(bytes)
        case UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: "y"), UInt8(ascii: "Y"),
            UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"),
            UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            guard bytes.count <= 5 else { return false }
            return reservedWords.contains(String(decoding: bytes, as: UTF8.self))
        default:
            return false
        }
    }

    /// Plain words some reader resolves to null, a boolean, a merge or a value key.
    private static let reservedWords: Set<String> = [
        "~", "null", "Null", "NULL",
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
        "<<", "=",
    ]

    /// Numbers of every reader, matched after dropping underscores (go-yaml
    /// drops them all; PyYAML allows them almost anywhere in digits):
    ///
    ///     [-+]? ( 0 [xXoObB] [0-9a-fA-F]*            radix integers, even digitless
    ///           | [0-9]+ (: [0-9]+)* (. [0-9]*)? ([eE] [-+]? [0-9]+)?
    ///           | . [0-9]+ ([eE] [-+]? [0-9]+)?       `.5`
    ///           | . [0-9]* ([eE] [-+]? [0-9]+)?       `._` too, when underscores were dropped
    ///           | . (inf|nan) in any case )
    static func looksNumeric(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.contains(UInt8(ascii: "_")) else { return looksNumeric(withoutUnderscores: bytes, dropped: false) }
        let kept = bytes.filter { $0 != UInt8(ascii: "_") }
        return kept.withUnsafeBufferPointer { looksNumeric(withoutUnderscores: $0, dropped: true) }
    }

    private static func looksNumeric(withoutUnderscores digits: UnsafeBufferPointer<UInt8>, dropped: Bool) -> Bool {
        let count = digits.count
        var index = 0
        func at(_ offset: Int) -> UInt8 { offset < count ? digits[offset] : 0 }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func isHexDigit(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
        }
        func skipDigits() -> Int {
            let start = index
            while isDigit(at(index)) { index += 1 }
            return index - start
        }

        if at(0) == UInt8(ascii: "+") || at(0) == UInt8(ascii: "-") { index = 1 }
        if at(index) == UInt8(ascii: "0") {
            switch at(index + 1) | 0x20 {
            case UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "b"):
                index += 2
                while index < count, isHexDigit(digits[index]) { index += 1 }
                return index == count
            default:
                break
            }
        }
        if at(index) == UInt8(ascii: "."), count - index == 4 {
            let word = String(decoding: UnsafeBufferPointer(rebasing: digits[(index + 1)...]), as: UTF8.self)
            switch word.lowercased() {
            case "inf", "nan": return true
            default: break
            }
        }
        let integerDigits = skipDigits()
        if integerDigits > 0 {
            while at(index) == UInt8(ascii: ":") {
                index += 1
                if skipDigits() == 0 { return false }
            }
        }
        if at(index) == UInt8(ascii: ".") {
            index += 1
            // A lone `.` is a string everywhere, but `._` was a float to
            // older PyYAML releases (that then failed to convert it).
            if skipDigits() == 0 && integerDigits == 0 && !dropped { return false }
        } else if integerDigits == 0 {
            return false
        }
        if at(index) == UInt8(ascii: "e") || at(index) == UInt8(ascii: "E") {
            index += 1
            if at(index) == UInt8(ascii: "+") || at(index) == UInt8(ascii: "-") { index += 1 }
            if skipDigits() == 0 { return false }
        }
        return index == count
    }

    /// YAML 1.1 timestamps and what go-yaml parses as one: `YYYY-M-D`
    /// alone or followed by `T`, `t`, a space or a tab (anything after that
    /// is treated as a time, valid or not).
    static func looksLikeTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func isDigit(_ offset: Int) -> Bool {
            offset < bytes.count && bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")
        }
        guard isDigit(0), isDigit(1), isDigit(2), isDigit(3), bytes.count > 4, bytes[4] == UInt8(ascii: "-")
        else { return false }
        var index = 5
        for part in 0..<2 {
            guard isDigit(index) else { return false }
            index += isDigit(index + 1) ? 2 : 1
            if part == 0 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return false }
                index += 1
            }
        }
        guard index < bytes.count else { return true }
        switch bytes[index] {
        case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " "), UInt8(ascii: "\t"): return true
        default: return false
        }
    }
}
