/// A parsed pattern: the syntax tree ``RegexParser`` builds and ``RegexProgram`` compiles.
///
/// Groups leave no node (only whether the text matches is asked, never what a group captured), and
/// flags are already applied: a case-insensitive literal is a ``RegexCharacterClass``, `^` under `(?m)`
/// is ``RegexAssertion/lineStart``.
indirect enum RegexNode: Sendable, Hashable {
    /// Matches the empty string: `()`, an empty alternative, `x{0}`.
    case empty
    /// One scalar, exactly.
    case literal(Unicode.Scalar)
    /// One scalar of a class.
    case set(RegexCharacterClass)
    /// `.`: any scalar, or any but a newline (without the `s` flag).
    case any(matchesNewline: Bool)
    /// A zero-width test of the position.
    case assertion(RegexAssertion)
    /// The items in order.
    case concatenation([RegexNode])
    /// One of the alternatives.
    case alternation([RegexNode])
    /// `minimum` to `maximum` (nil: unbounded) repetitions of the node; `offset` is where the operator
    /// starts in the pattern, for errors.
    case repetition(RegexNode, minimum: Int, maximum: Int?, offset: Int)
}

/// The zero-width tests a pattern can make.
enum RegexAssertion: Sendable, Hashable {
    /// `\A`, or `^` without the `m` flag.
    case textStart
    /// `\z`, or `$` without the `m` flag (Go's `$` does not match before a final newline).
    case textEnd
    /// `^` with the `m` flag: at the start or after a newline.
    case lineStart
    /// `$` with the `m` flag: at the end or before a newline.
    case lineEnd
    /// `\b`: an ASCII word scalar on one side only.
    case wordBoundary
    /// `\B`: not `\b`.
    case notWordBoundary

    /// Whether the position between `previous` and `next` (nil: the start or the end of the text) passes.
    func holds(after previous: Unicode.Scalar?, before next: Unicode.Scalar?) -> Bool {
        switch self {
        case .textStart: previous == nil
        case .textEnd: next == nil
        case .lineStart: previous == nil || previous == "\n"
        case .lineEnd: next == nil || next == "\n"
        case .wordBoundary: Self.isWord(previous) != Self.isWord(next)
        case .notWordBoundary: Self.isWord(previous) == Self.isWord(next)
        }
    }

    /// Whether `scalar` is an ASCII word scalar, `[0-9A-Za-z_]`.
    private static func isWord(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar, scalar.isASCII else { return false }
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x5F, 0x61...0x7A: return true
        default: return false
        }
    }
}
