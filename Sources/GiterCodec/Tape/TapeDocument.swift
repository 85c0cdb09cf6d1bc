import Synchronization

/// A parsed text kept for the ``Node``s read from it: the tape the reader
/// wrote, the text its offsets refer to, and what is needed to turn an
/// offset into a line and column. Shared by every node of the documents
/// read from one text, and never changed after the reader made it.
///
/// A node read from text is a view of this storage (``Node`` keeps the
/// storage and the head index of its value on the tape), so a parsed tree
/// costs the tape (a few 32-bit words a value) and no heap object per value.
/// The text is kept as the caller gave it when the reader used it as it was
/// (an array or a native string is retained, not copied); YAML text whose
/// line breaks were normalised keeps the normalised copy.
///
/// Lines and columns are computed on first need: the first request builds
/// an index of line starts (one 32-bit word a line, with a bit that says
/// whether the line is ASCII, where a column is a subtraction), later ones
/// search it.
final class TapeDocument: Sendable {
    /// Where the text is.
    enum Text: Sendable {
        /// Bytes of an array from `start` on.
        case bytes([UInt8], start: Int)
        /// The UTF-8 of a native string (contiguous) from `start` on.
        case string(String, start: Int)
    }

    let tape: DocumentTape
    let text: Text
    let lineBreaks: TapeLocator.LineBreaks
    /// Where the first line starts in the text (after a JSON byte order mark).
    let firstLineStart: Int
    /// Bytes before the text in the caller's input (a YAML byte order mark).
    let prefixLength: Int
    /// Offsets before which a CR was removed (YAML), ascending.
    let removedCarriageReturns: [Int]
    /// The start of each line, with ``asciiLineBit`` set when the line holds
    /// ASCII only; built on first need.
    private let lineStarts = Mutex<[UInt32]?>(nil)

    /// Set on a line start when the line is ASCII only.
    private static let asciiLineBit: UInt32 = 1 << 31

    init(
        tape: DocumentTape, text: Text, lineBreaks: TapeLocator.LineBreaks, firstLineStart: Int = 0,
        prefixLength: Int = 0, removedCarriageReturns: [Int] = []
    ) {
        var tape = tape
        tape.shrinkIfSmall()
        self.tape = tape
        self.text = text
        self.lineBreaks = lineBreaks
        self.firstLineStart = firstLineStart
        self.prefixLength = prefixLength
        self.removedCarriageReturns = removedCarriageReturns
    }

    /// The text of `string` as a ``Text``: the string itself when its UTF-8
    /// is contiguous, a copy otherwise.
    static func text(of string: String, start: Int) -> Text {
        let contiguous = string.utf8.withContiguousStorageIfAvailable { _ in true } ?? false
        return contiguous ? .string(string, start: start) : .bytes(Array(string.utf8), start: start)
    }

    /// Calls `body` with the text the tape's offsets refer to.
    @inline(__always) func withText<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch text {
        case .bytes(let bytes, let start):
            return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start...])) }
        case .string(let string, let start):
            // Checked contiguous when the storage was made (text(of:start:)).
            return try string.utf8.withContiguousStorageIfAvailable {
                try body(UnsafeBufferPointer(rebasing: $0[start...]))
            }!
        }
    }

    /// Calls `body` with a view of the tape over its text.
    @inline(__always) func withView<R>(_ body: (TapeView) throws -> R) rethrows -> R {
        try withText { text in try tape.withView(text: text, body) }
    }

    /// A locator for the tape over `text` (from ``withText(_:)``), for decoding.
    func locator(_ text: UnsafeBufferPointer<UInt8>) -> TapeLocator {
        TapeLocator(
            text: text, lineBreaks: lineBreaks, firstLineStart: firstLineStart, prefixLength: prefixLength,
            removedCarriageReturns: removedCarriageReturns)
    }

    // MARK: Locations

    /// The location of the value or key whose head is at `index`.
    func location(ofValueAt index: Int) -> SourceLocation {
        withText { text in
            let offset = tape.withView(text: text) { $0.offset(index) }
            return location(of: offset, in: text)
        }
    }

    private func location(of offset: Int, in text: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        let target = min(max(offset, firstLineStart), text.count)
        let starts = lineStarts.withLock { starts in
            if let starts { return starts }
            let built = Self.lineStarts(of: text, from: firstLineStart, lineBreaks: lineBreaks)
            starts = built
            return built
        }
        // The last line that starts at or before the target.
        var low = 0
        var high = starts.count
        while high - low > 1 {
            let mid = (low + high) / 2
            if Int(starts[mid] & ~Self.asciiLineBit) <= target { low = mid } else { high = mid }
        }
        let lineStart = Int(starts[low] & ~Self.asciiLineBit)
        var column = 1
        if starts[low] & Self.asciiLineBit != 0 {
            column += target - lineStart
        } else {
            for byte in text[lineStart..<target] where byte & 0xC0 != 0x80 { column += 1 }
        }
        return SourceLocation(line: low + 1, column: column, offset: locator(text).originalOffset(offset))
    }

    /// The start of each line of `text` from `first` on, marked when ASCII.
    private static func lineStarts(
        of text: UnsafeBufferPointer<UInt8>, from first: Int, lineBreaks: TapeLocator.LineBreaks
    ) -> [UInt32] {
        var starts: [UInt32] = []
        var start = first
        var ascii = true
        var index = first
        while index < text.count {
            let byte = text[index]
            index += 1
            if byte == 0x0A || (byte == 0x0D && lineBreaks == .any) {
                if byte == 0x0D && index < text.count && text[index] == 0x0A { index += 1 }
                starts.append(UInt32(truncatingIfNeeded: start) | (ascii ? asciiLineBit : 0))
                start = index
                ascii = true
            } else if byte >= 0x80 {
                ascii = false
            }
        }
        starts.append(UInt32(truncatingIfNeeded: start) | (ascii ? asciiLineBit : 0))
        return starts
    }
}
