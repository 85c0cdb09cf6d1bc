/// Escapes (`\n`, `\x{263a}`, `\d`, `\p{Lu}`, `\b`, `\Q...\E`) and bracketed classes (`[^a-z[:digit:]]`).
extension RegexParser {
    /// An escape outside brackets, at the current `\`.
    mutating func parseEscape() throws(LinearRegexError) -> RegexNode {
        let start = position
        guard let letter = peek(1) else {
            throw LinearRegexError(.syntax, "trailing \\ ends the pattern; write \\\\ for a backslash", offset: start)
        }
        switch letter {
        case "A", "z", "b", "B":
            position += 2
            let assertion: RegexAssertion =
                switch letter {
                case "A": .textStart
                case "z": .textEnd
                case "b": .wordBoundary
                default: .notWordBoundary
                }
            return .assertion(assertion)
        case "Q":
            // Literal text up to \E or the end of the pattern.
            position += 2
            var items: [RegexNode] = []
            while let scalar = peek(), !lookingAt("\\E") {
                items.append(literal(scalar))
                position += 1
            }
            if lookingAt("\\E") { position += 2 }
            return items.count == 1 ? items[0] : .concatenation(items)
        case "p", "P":
            var characterClass = try parseUnicodeClass()
            characterClass.ignoresCase = flags.ignoresCase
            return .set(characterClass)
        default:
            if var perl = RegexCharacterClass.perl(letter) {
                position += 2
                perl.ignoresCase = flags.ignoresCase
                return .set(perl)
            }
            let value = try parseEscapedScalar()
            // A surrogate code point (`\x{D800}`) is valid RE2 but never in a text: a class of nothing.
            guard let scalar = Unicode.Scalar(value) else { return .set(RegexCharacterClass()) }
            return literal(scalar)
        }
    }

    /// The scalar value an escape at the current `\` stands for: `\a \f \t \n \r \v`, `\x41`, `\x{263a}`,
    /// octal `\0`, `\012`, `\123`, or escaped punctuation (`\.`, `\\`). A value, not a scalar: `\x{D800}`
    /// names a surrogate code point.
    mutating func parseEscapedScalar() throws(LinearRegexError) -> UInt32 {
        let start = position
        guard let letter = peek(1) else {
            throw LinearRegexError(.syntax, "trailing \\ ends the pattern; write \\\\ for a backslash", offset: start)
        }
        position += 2
        switch letter {
        case "a": return 0x07
        case "f": return 0x0C
        case "t": return 0x09
        case "n": return 0x0A
        case "r": return 0x0D
        case "v": return 0x0B
        case "x": return try parseHexEscape(start: start)
        case "0"..."7" where letter == "0" || ("0"..."7").contains(peek() ?? " "):
            // Octal, up to three digits; a lone \1 to \7 is a backreference.
            var value = letter.value - 0x30
            for _ in 0..<2 {
                guard let digit = peek(), ("0"..."7").contains(digit) else { break }
                value = value * 8 + digit.value - 0x30
                position += 1
            }
            return value
        case "1"..."9", "k":
            throw LinearRegexError(
                .syntax,
                "backreferences (\\\(letter)) are not RE2 syntax: they cannot be matched in linear time",
                offset: start
            )
        default:
            if letter.isASCII, !Self.isASCIIAlphanumeric(letter) { return letter.value }
            throw LinearRegexError(
                .syntax,
                "unknown escape \\\(letter); RE2 knows \\a \\f \\t \\n \\r \\v \\x \\d \\s \\w \\p \\b \\A \\z \\Q, "
                    + "octal \\0nn and escaped punctuation",
                offset: start
            )
        }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// `\x41` (two hex digits) or `\x{263a}` (one or more), after the `x`.
    private mutating func parseHexEscape(start: Int) throws(LinearRegexError) -> UInt32 {
        let invalid = LinearRegexError(
            .syntax,
            "invalid hex escape; write \\x41 (two hex digits) or \\x{263a}",
            offset: start
        )
        var value: UInt32 = 0
        if peek() == "{" {
            position += 1
            var digits = 0
            while let digit = peek(), let digitValue = Self.hexValue(digit) {
                value = min(value * 16 + digitValue, 0x11_0000)
                digits += 1
                position += 1
            }
            guard digits > 0, peek() == "}" else { throw invalid }
            position += 1
        } else {
            for _ in 0..<2 {
                guard let digit = peek(), let digitValue = Self.hexValue(digit) else { throw invalid }
                value = value * 16 + digitValue
                position += 1
            }
        }
        guard value <= RegexCharacterClass.maximumScalar else {
            throw LinearRegexError(
                .syntax,
                "\\x{\(String(value, radix: 16))} is over 10FFFF, the last code point",
                offset: start
            )
        }
        return value
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 0x30
        case "a"..."f": scalar.value - 0x61 + 10
        case "A"..."F": scalar.value - 0x41 + 10
        default: nil
        }
    }

    /// `\pL`, `\p{Lu}`, `\p{^L}`, `\PL`, `\P{Lu}` at the current `\`: a Unicode general category.
    mutating func parseUnicodeClass() throws(LinearRegexError) -> RegexCharacterClass {
        let start = position
        var negated = peek(1) == "P"
        position += 2
        var name: String
        if peek() == "{" {
            let nameStart = position + 1
            while let scalar = peek(), scalar != "}" { position += 1 }
            guard peek() == "}" else {
                throw LinearRegexError(.syntax, "missing } to close \\p{", offset: start)
            }
            name = String(String.UnicodeScalarView(scalars[nameStart..<position]))
            position += 1
        } else {
            guard let letter = peek() else {
                throw LinearRegexError(.syntax, "\\p needs a class name: \\pL or \\p{Lu}", offset: start)
            }
            name = String(letter)
            position += 1
        }
        if name.hasPrefix("^") {
            negated.toggle()
            name.removeFirst()
        }
        guard let characterClass = RegexCharacterClass.unicode(name, negated: negated) else {
            throw LinearRegexError(
                .unsupported,
                "Unicode class \(name) is not supported: LinearRegex knows the general categories "
                    + "(L, Lu, Ll, Lt, Lm, Lo, M…, N, Nd, Nl, No, P…, S…, Z…, C, Cc, Cf, Co, Cs) and Any, "
                    + "not scripts or other properties",
                offset: start
            )
        }
        return characterClass
    }
}
