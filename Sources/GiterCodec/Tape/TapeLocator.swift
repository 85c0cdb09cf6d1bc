/// Turns the offsets a ``DocumentTape`` stores into line and column
/// locations.
///
/// A tape read from text keeps only byte offsets; lines and columns are
/// computed, the way the reader that wrote the tape counts them, when a
/// location is needed: for an error, or for each node when a ``Node`` tree
/// is built, where a ``Cursor`` walks forward through the text once.
///
/// A tape written from a ``Node`` tree (``DocumentTape/written(from:)``) has
/// no text: each value's offset is its position in ``nodeLocations``, which
/// holds the location its node had (none for a node built in code).
struct TapeLocator {
    /// How line breaks are written in the text.
    enum LineBreaks {
        /// LF, CR LF and a lone CR (JSON text as given).
        case any
        /// LF only (YAML text after ``YAMLInput`` normalised it).
        case lineFeed
    }

    let text: UnsafeBufferPointer<UInt8>
    let lineBreaks: LineBreaks
    /// Where the first line starts: after a byte order mark in JSON text.
    let firstLineStart: Int
    /// Bytes before `text` in the caller's input (a YAML byte order mark).
    let prefixLength: Int
    /// Offsets in `text` before which a CR was removed (YAML), ascending.
    let removedCarriageReturns: [Int]
    /// For a tape written from a node tree, the location of each value and
    /// key, by the offset the tape gives it; `nil` for a tape read from text.
    let nodeLocations: [PackedLocation]?

    init(
        text: UnsafeBufferPointer<UInt8>,
        lineBreaks: LineBreaks,
        firstLineStart: Int,
        prefixLength: Int,
        removedCarriageReturns: [Int],
        nodeLocations: [PackedLocation]? = nil
    ) {
        self.text = text
        self.lineBreaks = lineBreaks
        self.firstLineStart = firstLineStart
        self.prefixLength = prefixLength
        self.removedCarriageReturns = removedCarriageReturns
        self.nodeLocations = nodeLocations
    }

    /// A locator for JSON text, which may start with a byte order mark.
    static func json(_ text: UnsafeBufferPointer<UInt8>) -> TapeLocator {
        let hasBOM = text.count >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF
        return TapeLocator(
            text: text, lineBreaks: .any, firstLineStart: hasBOM ? 3 : 0, prefixLength: 0, removedCarriageReturns: [])
    }

    /// A locator for YAML text prepared by ``YAMLInput``.
    static func yaml(_ input: YAMLInput) -> TapeLocator {
        TapeLocator(
            text: input.bytes,
            lineBreaks: .lineFeed,
            firstLineStart: 0,
            prefixLength: input.prefixLength,
            removedCarriageReturns: input.removedCarriageReturns
        )
    }

    /// A locator for a tape written from a node tree, whose offsets index
    /// `locations`.
    static func nodes(_ locations: [PackedLocation]) -> TapeLocator {
        TapeLocator(
            text: UnsafeBufferPointer(start: nil, count: 0),
            lineBreaks: .lineFeed,
            firstLineStart: 0,
            prefixLength: 0,
            removedCarriageReturns: [],
            nodeLocations: locations
        )
    }

    /// The location of `offset` in text, counted from the start of the text.
    /// The readers use it for their errors.
    func location(of offset: Int) -> SourceLocation {
        var cursor = Cursor(self)
        return cursor.textLocation(of: offset, in: self)
    }

    /// The location of the value or key whose tape offset is `offset`:
    /// computed from the text, or the one its node had (`nil` when that
    /// node was built in code).
    func valueLocation(of offset: Int) -> SourceLocation? {
        var cursor = Cursor(self)
        return cursor.location(of: offset, in: self)
    }

    /// The offset in the caller's original bytes of `offset` in ``text``.
    func originalOffset(_ offset: Int) -> Int {
        guard !removedCarriageReturns.isEmpty else { return offset + prefixLength }
        var low = 0
        var high = removedCarriageReturns.count
        while low < high {
            let mid = (low + high) / 2
            if removedCarriageReturns[mid] <= offset { low = mid + 1 } else { high = mid }
        }
        return offset + prefixLength + low
    }

    /// A position in the text with its line and column, moved forward to
    /// each offset asked for; asking for an earlier offset starts over.
    struct Cursor {
        private var position: Int
        private var line = 1
        private var column = 1

        init(_ locator: TapeLocator) { position = locator.firstLineStart }

        /// The location of the value or key whose tape offset is `offset`,
        /// as ``TapeLocator/valueLocation(of:)`` gives it.
        mutating func location(of offset: Int, in locator: TapeLocator) -> SourceLocation? {
            if let locations = locator.nodeLocations {
                return locations.indices.contains(offset) ? locations[offset].location : nil
            }
            return textLocation(of: offset, in: locator)
        }

        /// The location of byte `offset` of the locator's text.
        mutating func textLocation(of offset: Int, in locator: TapeLocator) -> SourceLocation {
            let target = min(max(offset, 0), locator.text.count)
            if target < position { self = Cursor(locator) }
            let text = locator.text
            while position < target {
                let byte = text[position]
                position += 1
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte == 0x0D && locator.lineBreaks == .any {
                    if position < text.count && text[position] == 0x0A { position += 1 }
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return SourceLocation(line: line, column: column, offset: locator.originalOffset(offset))
        }
    }
}
