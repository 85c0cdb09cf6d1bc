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

/// A ``SourceLocation`` in 12 bytes, as nodes store it: line 0 means none.
/// Lines, columns and offsets past `UInt32.max` (inputs over 4 GiB) are not
/// kept; such a node has no location.
struct PackedLocation: Sendable, Hashable {
    var line: UInt32
    var column: UInt32
    var offset: UInt32

    static let none = PackedLocation(line: 0, column: 0, offset: 0)

    init(line: UInt32, column: UInt32, offset: UInt32) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    init(_ location: SourceLocation?) {
        guard let location, let line = UInt32(exactly: location.line), let column = UInt32(exactly: location.column),
            let offset = UInt32(exactly: location.offset), line > 0
        else {
            self = .none
            return
        }
        self.init(line: line, column: column, offset: offset)
    }

    var location: SourceLocation? {
        line == 0 ? nil : SourceLocation(line: Int(line), column: Int(column), offset: Int(offset))
    }
}
