/// Reads a pattern in RE2 syntax into a ``RegexNode`` tree, or says where and why it cannot.
///
/// Recursive descent over the pattern's Unicode scalars; recursion follows only the nesting of groups,
/// which is limited to ``maximumNesting``. Flags (`(?i)`) apply from where they are set to the end of the
/// enclosing group, across `|`, as in RE2.
struct RegexParser {
    /// The deepest nesting of groups accepted.
    static let maximumNesting = 200
    /// The largest count in `{n,m}`, as in RE2.
    static let maximumRepeatCount = 1000

    /// The flags `(?imsU)` set.
    struct Flags {
        /// `i`: letters match either case.
        var ignoresCase = false
        /// `m`: `^` and `$` match at line starts and ends too.
        var multiline = false
        /// `s`: `.` matches a newline too.
        var dotMatchesNewline = false
        /// `U`: greedy and lazy swap (no effect on whether the text matches).
        var ungreedy = false
    }

    let scalars: [Unicode.Scalar]
    var position = 0
    var flags = Flags()
    private var nesting = 0
    private var groupNames: Set<String> = []
    /// Where a search for the `:]` that closes a POSIX class found none: no later search can find one, so
    /// none is made (many `[:` would otherwise make reading the pattern quadratic).
    var noPosixCloseFrom: Int? = nil
    /// How many more scalars case-insensitive class ranges (each under 256 scalars) may list their case
    /// variants for; past it, only the text's scalars are folded when matching.
    var foldBudget = 10_000

    init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    /// Parses the whole pattern.
    mutating func parse() throws(LinearRegexError) -> RegexNode {
        let tree = try parseAlternation()
        if position < scalars.count {
            throw LinearRegexError(.syntax, "unexpected ): no group is open; escape it as \\)", offset: position)
        }
        return tree
    }

    /// The scalar `ahead` places after the current one, nil past the end.
    func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    /// Whether the scalars from the current one on spell `text`.
    func lookingAt(_ text: String) -> Bool {
        var ahead = 0
        for scalar in text.unicodeScalars {
            guard peek(ahead) == scalar else { return false }
            ahead += 1
        }
        return true
    }

    // MARK: Alternation, concatenation, repetition

    private mutating func parseAlternation() throws(LinearRegexError) -> RegexNode {
        var branches = [try parseConcatenation()]
        while peek() == "|" {
            position += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(LinearRegexError) -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = peek(), scalar != "|", scalar != ")" {
            guard let atom = try parseAtom() else { continue }
            items.append(try parseRepetitions(of: atom))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    /// The operators after an atom: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally lazy (`*?`).
    private mutating func parseRepetitions(of atom: RegexNode) throws(LinearRegexError) -> RegexNode {
        var node = atom
        var previousOperator: Int? = nil
        while let scalar = peek() {
            let start = position
            let minimum: Int
            let maximum: Int?
            switch scalar {
            case "*": (minimum, maximum) = (0, nil)
            case "+": (minimum, maximum) = (1, nil)
            case "?": (minimum, maximum) = (0, 1)
            case "{":
                guard let count = try repeatCount() else { return node }
                (minimum, maximum) = (count.minimum, count.maximum)
            default:
                return node
            }
            if let previousOperator {
                let text = String(String.UnicodeScalarView(scalars[previousOperator...start]))
                if scalar == "+" {
                    throw LinearRegexError(
                        .syntax,
                        "possessive repetition \(text) is not RE2 syntax; drop the final +",
                        offset: start
                    )
                }
                throw LinearRegexError(
                    .syntax,
                    "a repetition operator cannot follow another (\(text)); group the first: (?:x*)*",
                    offset: start
                )
            }
            if scalar != "{" { position += 1 }
            // A lazy operator (`*?`) matches the same texts as the greedy one.
            if peek() == "?" { position += 1 }
            node = .repetition(node, minimum: minimum, maximum: maximum, offset: start)
            previousOperator = start
        }
        return node
    }

    /// Reads `{n}`, `{n,}` or `{n,m}` at the current `{` and moves past it; nil (and no move) when the
    /// text there is not a repetition count, which RE2 then reads as a literal `{`.
    mutating func repeatCount() throws(LinearRegexError) -> (minimum: Int, maximum: Int?)? {
        let start = position
        var ahead = 1
        guard let minimum = number(at: &ahead) else { return nil }
        var maximum: Int? = minimum
        if peek(ahead) == "," {
            ahead += 1
            maximum = number(at: &ahead)
        }
        guard peek(ahead) == "}" else { return nil }
        position += ahead + 1
        if minimum > Self.maximumRepeatCount || (maximum ?? 0) > Self.maximumRepeatCount {
            throw LinearRegexError(
                .syntax,
                "repetition count over \(Self.maximumRepeatCount), the most RE2 allows",
                offset: start
            )
        }
        if let maximum, maximum < minimum {
            throw LinearRegexError(
                .syntax,
                "repetition {\(minimum),\(maximum)} has a maximum below its minimum",
                offset: start
            )
        }
        return (minimum, maximum)
    }

    /// The decimal number `ahead` places on, moving `ahead` past it; nil when there is no digit. Stops
    /// growing past ``maximumRepeatCount``.
    private func number(at ahead: inout Int) -> Int? {
        var value: Int? = nil
        while let digit = peek(ahead), ("0"..."9").contains(digit) {
            value = min((value ?? 0) * 10 + Int(digit.value - 0x30), Self.maximumRepeatCount + 1)
            ahead += 1
        }
        return value
    }

    // MARK: Atoms

    /// One atom, or nil for a flags group (`(?i)`) that only changes ``flags``.
    private mutating func parseAtom() throws(LinearRegexError) -> RegexNode? {
        guard let scalar = peek() else { return .empty }
        switch scalar {
        case "(":
            return try parseGroup()
        case "[":
            return .set(try parseClass())
        case ".":
            position += 1
            return .any(matchesNewline: flags.dotMatchesNewline)
        case "^":
            position += 1
            return .assertion(flags.multiline ? .lineStart : .textStart)
        case "$":
            position += 1
            return .assertion(flags.multiline ? .lineEnd : .textEnd)
        case "\\":
            return try parseEscape()
        case "*", "+", "?":
            throw missingRepetitionArgument()
        case "{":
            let start = position
            if try repeatCount() != nil {
                position = start
                throw missingRepetitionArgument()
            }
            position += 1
            return literal(scalar)
        default:
            position += 1
            return literal(scalar)
        }
    }

    private func missingRepetitionArgument() -> LinearRegexError {
        LinearRegexError(
            .syntax,
            "repetition operator \(scalars[position]) has nothing to repeat; escape it as \\\(scalars[position])",
            offset: position
        )
    }

    /// A literal scalar under the current flags.
    func literal(_ scalar: Unicode.Scalar) -> RegexNode {
        if flags.ignoresCase, RegexCharacterClass.hasCaseVariants(scalar) {
            return .set(RegexCharacterClass.caseless(scalar))
        }
        return .literal(scalar)
    }

    /// `( )`, `(?: )`, `(?P<name> )`, `(?<name> )`, `(?flags: )`, or `(?flags)` (nil: no atom).
    private mutating func parseGroup() throws(LinearRegexError) -> RegexNode? {
        let open = position
        let outerFlags = flags
        position += 1
        if peek() == "?" {
            if try parseGroupPrefix(open: open) { return nil }
        }
        nesting += 1
        guard nesting <= Self.maximumNesting else {
            throw LinearRegexError(
                .tooLarge,
                "groups nest more than \(Self.maximumNesting) deep",
                offset: open
            )
        }
        let inner = try parseAlternation()
        guard peek() == ")" else {
            throw LinearRegexError(.syntax, "missing ) to close the group opened here", offset: open)
        }
        position += 1
        flags = outerFlags
        nesting -= 1
        return inner
    }

    /// Reads what follows `(?`: a name, flags, or a construct RE2 lacks. Returns true for a flags-only
    /// group `(?i)` (then already closed), false when a group body follows.
    private mutating func parseGroupPrefix(open: Int) throws(LinearRegexError) -> Bool {
        position += 1
        if lookingAt("P<") || (lookingAt("<") && peek(1) != "=" && peek(1) != "!") {
            position += lookingAt("P<") ? 2 : 1
            try parseGroupName(open: open)
            return false
        }
        if let refusal = Self.unsupportedGroups.first(where: { lookingAt($0.prefix) }) {
            throw LinearRegexError(.syntax, "(?\(refusal.prefix) \(refusal.message)", offset: open)
        }
        var newFlags = flags
        var negated = false
        var sawFlag = false
        while let scalar = peek() {
            position += 1
            switch scalar {
            case "i": newFlags.ignoresCase = !negated
            case "m": newFlags.multiline = !negated
            case "s": newFlags.dotMatchesNewline = !negated
            case "U": newFlags.ungreedy = !negated
            case "-" where !negated:
                negated = true
                sawFlag = false
                continue
            case ":", ")":
                // `(?:`, and `(?)` (no flags, accepted by Go), set nothing; `(?-)` and `(?i-:` are errors.
                if negated, !sawFlag { throw invalidGroup(open: open) }
                flags = newFlags
                return scalar == ")"
            default:
                throw invalidGroup(open: open)
            }
            sawFlag = true
        }
        throw LinearRegexError(.syntax, "missing ) to close the group opened here", offset: open)
    }

    private func invalidGroup(open: Int) -> LinearRegexError {
        let text = String(String.UnicodeScalarView(scalars[open..<position]))
        return LinearRegexError(
            .syntax,
            "invalid or unsupported group \(text); RE2 knows (?:x), (?P<name>x), (?<name>x) and the flags i, m, s, U",
            offset: open
        )
    }

    /// Reads a group name and its `>`.
    private mutating func parseGroupName(open: Int) throws(LinearRegexError) {
        let start = position
        while let scalar = peek(), scalar != ">" {
            guard
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "_"
            else {
                throw LinearRegexError(
                    .syntax,
                    "invalid group name: use letters, digits and _ between < and >",
                    offset: position
                )
            }
            position += 1
        }
        guard peek() == ">", position > start else {
            throw LinearRegexError(.syntax, "invalid or unclosed group name", offset: open)
        }
        let name = String(String.UnicodeScalarView(scalars[start..<position]))
        position += 1
        guard groupNames.insert(name).inserted else {
            throw LinearRegexError(.syntax, "duplicate group name \(name)", offset: open)
        }
    }

    /// What follows `(?` in constructs of other engines, and why each is refused.
    private static let unsupportedGroups: [(prefix: String, message: String)] = [
        ("=", "(lookahead) is not RE2 syntax: RE2 has no lookaround, which cannot run in linear time"),
        ("!", "(negative lookahead) is not RE2 syntax: RE2 has no lookaround, which cannot run in linear time"),
        ("<=", "(lookbehind) is not RE2 syntax: RE2 has no lookaround, which cannot run in linear time"),
        ("<!", "(negative lookbehind) is not RE2 syntax: RE2 has no lookaround, which cannot run in linear time"),
        (">", "(atomic group) is not RE2 syntax; use (?:...)"),
        ("P=", "(named backreference) is not RE2 syntax: backreferences cannot run in linear time"),
        ("P>", "(recursion) is not RE2 syntax"),
        ("#", "(comment) is not RE2 syntax"),
        ("(", "(conditional) is not RE2 syntax"),
        ("|", "(branch reset) is not RE2 syntax"),
    ]
}
