/// A position in a source text.
///
/// Lines and columns start at 1. Columns count Unicode scalars, so a
/// column matches what an editor shows for text without tabs. ``offset`` is
/// the UTF-8 byte offset from the start of the input (after a byte order
/// mark, if any, has been skipped it still counts the mark).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column, in Unicode scalars.
    public var column: Int
    /// The 0-based UTF-8 byte offset.
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// `LINE:COLUMN`, the way compilers print positions.
    public var description: String { "\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        lhs.offset < rhs.offset
    }
}
