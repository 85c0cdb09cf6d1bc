/// The compact form the readers parse YAML and JSON text into: one flat
/// array of 32-bit words that describes every value in document order, with
/// byte offsets into the input instead of copies of its text.
///
/// Both ``YAMLReader`` and ``JSONReader`` write a tape; a ``Node`` tree is
/// built from it (``TapeView/node(at:locator:cursor:)``), and
/// ``DocumentDecoder`` decodes `Codable` values from it (``TapeDecoding``,
/// the codec's one `Decoder`), so decoding text never builds the tree.
/// Decoding a tree goes the other way: the tree is written to a tape first
/// (``written(from:)``), whose offsets then index the nodes' locations.
///
/// Layout. A value starts with a head word, `kind << 28 | offset`, where
/// `offset` is the byte offset of the value's location in the parsed bytes.
/// The words after it depend on the kind:
///
/// | Kind | Words | After the head |
/// |---|---|---|
/// | null, false, true | 1 | |
/// | word, wordNumber | 1 | the text is the run of word bytes at `offset` (short keys, words and numbers) |
/// | number, string | 2 | the text's length; the text starts at `offset` |
/// | quotedString | 2 | the length; the text starts at `offset + 1` (after the quote) |
/// | jsonString | 1 | the text runs from `offset + 1` to the next `"` (JSON strings without escapes) |
/// | sideString, sideNumber | 3 | start and length of the text in ``side`` |
/// | treeString, treeNumber, treeKey | 3 | the index in ``treeMembers`` of the tree collection that holds the node (or entry key), and its position there |
/// | sequence, mapping | 2 | the index just past the collection's last word |
///
/// A sequence's items follow its two words; a mapping's entries follow as a
/// key (a string kind) and its value. Text that differs from the input
/// (escapes, folded lines, block scalars) lives in ``side``. Everything but
/// side text is valid UTF-8 already checked by the reader. A tape written
/// from a ``Node`` tree has no text: its offsets index the tree's values
/// and keys in document order, and each string, number or key says where
/// in the tree (``treeMembers``) its `String` is, so decoding hands out the
/// tree's own strings without copying them.
///
/// Offsets take 28 bits, so a tape can describe inputs up to 256 MiB; the
/// readers reject larger inputs with ``CodecError/Code/limitExceeded``.
struct DocumentTape {
    enum Kind: UInt32 {
        case null = 0
        case `false` = 1
        case `true` = 2
        case number = 3
        case string = 4
        case quotedString = 5
        case sideString = 6
        case sideNumber = 7
        case sequence = 8
        case mapping = 9
        /// A JSON string without escapes: its text runs from `offset + 1`
        /// to the next double quote.
        case jsonString = 10
        /// A string node of a tree (``TreeMembers``).
        case treeString = 11
        /// A number node of a tree (``TreeMembers``).
        case treeNumber = 12
        /// An entry key of a tree's mapping (``TreeMembers``).
        case treeKey = 13
        /// A string whose text is the run of word bytes (``isWordByte(_:)``)
        /// that starts at `offset`: one word instead of two.
        case word = 14
        /// A number whose text is the run of word bytes at `offset`.
        case wordNumber = 15
    }

    /// The kind of the value whose head word is `head`.
    ///
    /// The kinds are declared in the order of their raw values, 0 to 15, so
    /// a kind's tag in memory is its raw value and every value of the four
    /// bits is a kind: the tag is read as it is. (`Kind(rawValue:)`, which
    /// the compiler did not inline, was a call at every step along the tape.)
    /// Debug builds (the tests) check it against `Kind(rawValue:)`.
    @inline(__always) static func kind(head: UInt32) -> Kind {
        let kind = unsafeBitCast(UInt8(truncatingIfNeeded: head >> 28), to: Kind.self)
        assert(kind == Kind(rawValue: head >> 28), "a tape kind's tag is its raw value")
        return kind
    }

    /// Bytes a ``Kind/word`` or ``Kind/wordNumber`` is made of: ASCII
    /// letters and digits, `-`, `_`, `.`, `/` and `+`.
    ///
    /// One bit a byte: a shift and a test instead of five comparisons, since
    /// every string decoded from a word, and every key compared with one,
    /// runs this over its bytes.
    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool {
        // Bytes 0–63: `+` (0x2B), `-` `.` `/` (0x2D–0x2F), `0`–`9` (0x30–0x39).
        let below64: UInt64 = 1 << 0x2B | 0b111 << 0x2D | 0x3FF << 0x30
        // Bytes 64–127, less 64: `A`–`Z` (0x41–0x5A), `_` (0x5F), `a`–`z` (0x61–0x7A).
        let from64: UInt64 = 0x3FF_FFFF << 0x01 | 1 << 0x1F | 0x3FF_FFFF << 0x21
        let bits = byte < 64 ? below64 : byte < 128 ? from64 : 0
        return bits >> (byte & 63) & 1 != 0
    }

    /// The longest text a ``Kind/word`` is used for; longer ones keep their
    /// length, so that reading never scans far.
    static let maxWordLength = 32

    /// The largest input a tape can describe, in bytes.
    static let maxInputBytes = 1 << 28
    static let offsetMask: UInt32 = (1 << 28) - 1

    /// The words, as described in the type's documentation.
    private(set) var words: [UInt32] = []
    /// Text that is not a slice of the input.
    private(set) var side: [UInt8] = []
    /// For a tape written from a tree, its collections' members (the root
    /// first, as a sequence of one); empty otherwise.
    private(set) var treeMembers: [TreeMembers] = []
    /// The head index of each document's root value.
    private(set) var roots: [Int] = []

    /// A tape for an input of `inputBytes` bytes. The words are reserved
    /// for the densest input (a word a byte, as in `[{},{},…]`), so the tape
    /// is never copied to grow, which would hold it twice at the peak; pages
    /// of the reservation that are never written take no memory.
    init(inputBytes: Int) {
        words.reserveCapacity(inputBytes + 16)
    }

    /// The most words a tape may have for ``shrinkIfSmall()`` to copy it.
    static let maxShrinkWords = 1 << 14

    /// Copies a small tape's words into an array of their size, so that a
    /// tape kept with its nodes does not keep its reservation; a large one
    /// keeps it (its unwritten pages take no memory, and a copy would hold
    /// the words twice).
    mutating func shrinkIfSmall() {
        guard words.count <= Self.maxShrinkWords, words.capacity > words.count + words.count / 4 + 16 else { return }
        words = words.withUnsafeBufferPointer { Array($0) }
    }

    var count: Int { words.count }

    /// The error for an input too large to describe on a tape.
    static func tooLarge(_ bytes: Int) -> CodecError {
        CodecError(
            .limitExceeded,
            "the input is \(bytes) bytes; Giter reads inputs of at most \(maxInputBytes) bytes (256 MiB)"
        )
    }

    // MARK: Writing

    @inline(__always) private static func head(_ kind: Kind, _ offset: Int) -> UInt32 {
        kind.rawValue << 28 | UInt32(truncatingIfNeeded: offset) & offsetMask
    }

    /// Marks the value that starts next as the root of a document.
    mutating func beginDocument() { roots.append(words.count) }

    /// Appends null, false or true, or a ``Kind/jsonString``.
    mutating func appendLiteral(_ kind: Kind, at offset: Int) {
        words.append(Self.head(kind, offset))
    }

    /// Appends a number or string whose text is `length` bytes of the input
    /// at `offset` (after the quote at `offset` for ``Kind/quotedString``).
    mutating func appendSlice(_ kind: Kind, at offset: Int, length: Int) {
        words.append(Self.head(kind, offset))
        words.append(UInt32(truncatingIfNeeded: length))
    }

    /// Appends a string or number (``Kind/sideString``, ``Kind/sideNumber``)
    /// whose text is `text`, located at `offset`.
    mutating func appendSide(_ kind: Kind, at offset: Int, text: UnsafeBufferPointer<UInt8>) {
        words.append(Self.head(kind, offset))
        words.append(UInt32(truncatingIfNeeded: side.count))
        words.append(UInt32(truncatingIfNeeded: text.count))
        side.append(contentsOf: text)
    }

    /// Appends a ``Kind/string`` or ``Kind/number`` whose text is `length`
    /// bytes of `text` at `offset`: as a ``Kind/word`` or ``Kind/wordNumber``
    /// when the text is exactly the run of word bytes there, so that a short
    /// key or number takes one word (the text ends where the run ends).
    @inline(__always)
    mutating func appendSlice(_ kind: Kind, at offset: Int, length: Int, in text: UnsafeBufferPointer<UInt8>) {
        if length > 0 && length <= Self.maxWordLength && (kind == .string || kind == .number)
            && (offset + length == text.count || !Self.isWordByte(text[offset + length]))
        {
            var index = offset
            let end = offset + length
            while index < end && Self.isWordByte(text[index]) { index += 1 }
            if index == end {
                words.append(Self.head(kind == .string ? .word : .wordNumber, offset))
                return
            }
        }
        appendSlice(kind, at: offset, length: length)
    }

    /// Appends a string or number whose text `write` appends to ``side``,
    /// located at `offset`: the text is written in place, never copied.
    mutating func appendSide(_ kind: Kind, at offset: Int, writing write: (inout [UInt8]) -> Void) {
        let start = side.count
        write(&side)
        words.append(Self.head(kind, offset))
        words.append(UInt32(truncatingIfNeeded: start))
        words.append(UInt32(truncatingIfNeeded: side.count - start))
    }

    /// Appends ``appendSide(_:at:text:)`` for an array of bytes.
    mutating func appendSide(_ kind: Kind, at offset: Int, bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { appendSide(kind, at: offset, text: $0) }
    }

    /// Appends ``appendSide(_:at:text:)`` for the UTF-8 of a string.
    mutating func appendSide(_ kind: Kind, at offset: Int, string: String) {
        var string = string
        string.withUTF8 { appendSide(kind, at: offset, text: $0) }
    }

    /// Keeps `members`, a collection of a tree, for the tree values written
    /// next; returns its index in ``treeMembers``.
    mutating func appendTreeMembers(_ members: TreeMembers) -> Int {
        treeMembers.append(members)
        return treeMembers.count - 1
    }

    /// Appends a tree's string, number or key (``Kind/treeString``,
    /// ``Kind/treeNumber``, ``Kind/treeKey``), located at `offset`, which
    /// is at `position` in the tree collection at `members` in ``treeMembers``.
    @inline(__always) mutating func appendTreeText(_ kind: Kind, at offset: Int, members: Int, position: Int) {
        words.append(Self.head(kind, offset))
        words.append(UInt32(truncatingIfNeeded: members))
        words.append(UInt32(truncatingIfNeeded: position))
    }

    /// Reserves room for a tree of about `values` values and keys.
    mutating func reserveTree(values: Int) {
        words.reserveCapacity(words.count + 3 * values)
    }

    /// Starts a sequence or mapping located at `offset`; returns its head
    /// index for ``endCollection(_:)``.
    mutating func beginCollection(_ kind: Kind, at offset: Int) -> Int {
        let head = words.count
        words.append(Self.head(kind, offset))
        words.append(0)
        return head
    }

    /// Ends the collection whose head is at `head`.
    mutating func endCollection(_ head: Int) {
        words[head + 1] = UInt32(truncatingIfNeeded: words.count)
    }

    // MARK: Reading

    /// Calls `body` with a view of the tape over `text`, the bytes it was
    /// parsed from.
    func withView<R>(
        text: UnsafeBufferPointer<UInt8>,
        _ body: (TapeView) throws -> R
    ) rethrows -> R {
        try words.withUnsafeBufferPointer { words in
            try side.withUnsafeBufferPointer { side in
                try treeMembers.withUnsafeBufferPointer { members in
                    try body(TapeView(words: words, side: side, text: text, treeMembers: members))
                }
            }
        }
    }
}
