/// A regular expression in RE2 syntax, matched in linear time (no backtracking).
///
/// Kubernetes checks a CRD's `pattern` with Go's `regexp` (RE2 syntax, linear time); `LinearRegex` accepts
/// the same syntax and gives the same answer, so a pattern cannot make a check hang however it is written.
/// Matching runs a Thompson NFA: every possible state advances over each Unicode scalar of the text in step,
/// so ``matches(_:)`` takes O(length of text × size of program) time and O(size of program) memory, and
/// its recursion never grows with the text.
///
/// Accepted: literals and escapes (`\.`, `\\`, `\t`, `\n`, `\x41`, `\x{263a}`, octal `\012`, `\Q...\E`),
/// `.`, `^`, `$`, `\A`, `\z`, `\b`, `\B`, classes (`[a-z0-9-]`, `[^...]`, `[[:alpha:]]`), Perl classes
/// (`\d \w \s \D \W \S`), Unicode general categories (`\pL`, `\p{Lu}`, `\P{Nd}`), groups (`( )`, `(?: )`,
/// `(?P<name> )`, `(?<name> )`), alternation, repetition (`* + ? {n} {n,} {n,m}`, lazy forms, counts up
/// to 1000) and the flags `i`, `m`, `s`, `U` (`(?i)`, `(?i:...)`, `(?-i)`). Text is matched by Unicode
/// scalars, as Go matches runes.
///
/// Refused with a ``LinearRegexError``: what RE2 refuses (backreferences, lookaround, possessive and atomic
/// forms, unknown escapes), Unicode scripts (`\p{Greek}`), groups nested more than 200 deep, and a pattern
/// that compiles to more than ``maximumProgramSize`` instructions.
public struct LinearRegex: Sendable, CustomStringConvertible {
    /// The most instructions a pattern may compile to; this bounds the memory and the per-scalar time of
    /// ``matches(_:)``.
    public static let maximumProgramSize = 10_000

    /// The pattern, as given.
    public let pattern: String
    private let program: RegexProgram

    /// Compiles `pattern`.
    ///
    /// - Throws: ``LinearRegexError`` saying what is wrong and where, for a pattern that is not RE2 syntax
    ///   (code `syntax`), uses a feature `LinearRegex` does not implement (`unsupported`), or is too large
    ///   (`tooLarge`).
    public init(_ pattern: String) throws(LinearRegexError) {
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        let cost = try RegexProgram.cost(of: tree, limit: Self.maximumProgramSize)
        guard cost <= Self.maximumProgramSize else {
            throw LinearRegexError(
                .tooLarge,
                "the pattern compiles to more than \(Self.maximumProgramSize) instructions; shorten it",
                offset: 0
            )
        }
        self.pattern = pattern
        self.program = RegexProgram(tree)
    }

    /// Whether the pattern matches anywhere in `text` (unanchored, like Go's `regexp.MatchString`, which
    /// Kubernetes uses for `pattern`): anchor it with `^...$` to match the whole text.
    public func matches(_ text: String) -> Bool {
        program.matches(text)
    }

    /// The pattern.
    public var description: String { pattern }
}
