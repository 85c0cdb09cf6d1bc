/// Bracketed classes: `[a-z0-9-]`, `[^...]`, `[]a]`, `[\d_]`, `[[:alpha:]]`, `[\p{Lu}]`.
extension RegexParser {
    /// How many scalars a range in a case-insensitive class may span for its case variants to be listed
    /// too (larger ranges still fold the text's scalar when matching).
    private static let maximumFoldedRange: UInt32 = 256

    /// The class at the current `[`.
    mutating func parseClass() throws(LinearRegexError) -> RegexCharacterClass {
        let open = position
        position += 1
        var result = RegexCharacterClass()
        if peek() == "^" {
            result.isNegated = true
            position += 1
        }
        var first = true
        while true {
            guard let scalar = peek() else {
                throw LinearRegexError(.syntax, "missing ] to close the class opened here", offset: open)
            }
            if scalar == "]", !first {
                position += 1
                break
            }
            first = false
            if scalar == "[", peek(1) == ":", let posix = try parsePosixClass() {
                result.add(contentsOf: posix)
                continue
            }
            if scalar == "\\", let letter = peek(1) {
                if let perl = RegexCharacterClass.perl(letter) {
                    position += 2
                    result.add(contentsOf: perl)
                    continue
                }
                if letter == "p" || letter == "P" {
                    result.add(contentsOf: try parseUnicodeClass())
                    continue
                }
            }
            let start = position
            let low = try parseClassScalar()
            var high = low
            if peek() == "-", let after = peek(1), after != "]" {
                position += 1
                if after == "\\", let letter = peek(1),
                    RegexCharacterClass.perl(letter) != nil || letter == "p" || letter == "P"
                {
                    throw LinearRegexError(.syntax, "a class cannot end a range", offset: start)
                }
                high = try parseClassScalar()
                guard low <= high else {
                    throw LinearRegexError(
                        .syntax,
                        "invalid range: its start is after its end",
                        offset: start
                    )
                }
            }
            result.add(low...high)
            if flags.ignoresCase, high - low < Self.maximumFoldedRange, foldBudget > high - low {
                foldBudget -= Int(high - low) + 1
                for value in low...high {
                    guard let member = Unicode.Scalar(value) else { continue }
                    _ = RegexCharacterClass.anyCaseVariant(of: member) { variant in
                        result.add(variant)
                        return false
                    }
                }
            }
        }
        result.ignoresCase = flags.ignoresCase
        return result
    }

    /// One scalar value inside brackets, escaped or not.
    private mutating func parseClassScalar() throws(LinearRegexError) -> UInt32 {
        if peek() == "\\" { return try parseEscapedScalar() }
        guard let scalar = peek() else {
            throw LinearRegexError(.syntax, "the pattern ends inside a class", offset: position)
        }
        position += 1
        return scalar.value
    }

    /// `[:name:]` or `[:^name:]` at the current `[`; nil (and no move) when no `:]` follows, which RE2
    /// then reads as a literal `[`.
    private mutating func parsePosixClass() throws(LinearRegexError) -> RegexCharacterClass? {
        let start = position
        if let noPosixCloseFrom, start >= noPosixCloseFrom { return nil }
        var end = position + 2
        while end + 1 < scalars.count, !(scalars[end] == ":" && scalars[end + 1] == "]") { end += 1 }
        guard end + 1 < scalars.count else {
            noPosixCloseFrom = start
            return nil
        }
        var name = String(String.UnicodeScalarView(scalars[(start + 2)..<end]))
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard var posix = RegexCharacterClass.posix(name) else {
            throw LinearRegexError(
                .syntax,
                "unknown POSIX class [:\(name):]; RE2 knows alnum, alpha, ascii, blank, cntrl, digit, graph, "
                    + "lower, print, punct, space, upper, word, xdigit",
                offset: start
            )
        }
        posix.isNegated = negated
        position = end + 2
        return posix
    }
}
