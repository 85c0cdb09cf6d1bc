/// A read-only view of a ``DocumentTape`` and the bytes it was parsed from,
/// valid while the tape and the bytes are.
///
/// Indices are head indices of values. Every word read is bounds-checked,
/// so a view used past its lifetime by mistake (an empty view replaces it)
/// stops with a precondition failure rather than reading freed memory.
struct TapeView {
    let words: UnsafeBufferPointer<UInt32>
    let side: UnsafeBufferPointer<UInt8>
    let text: UnsafeBufferPointer<UInt8>
    /// The tape's ``DocumentTape/treeMembers`` (a tape written from a tree).
    let treeMembers: UnsafeBufferPointer<DocumentTape.TreeMembers>

    /// A view of nothing.
    static var empty: TapeView {
        TapeView(words: UnsafeBufferPointer(start: nil, count: 0), side: UnsafeBufferPointer(start: nil, count: 0),
            text: UnsafeBufferPointer(start: nil, count: 0), treeMembers: UnsafeBufferPointer(start: nil, count: 0))
    }

    /// A view of a tape that holds one null value at offset 0. Its word is
    /// allocated once and never freed, so the view is valid for the whole
    /// process; nothing writes to it, which makes sharing it safe.
    nonisolated(unsafe) static let null: TapeView = {
        let word = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        word.initialize(to: DocumentTape.Kind.null.rawValue << 28)
        return TapeView(
            words: UnsafeBufferPointer(start: word, count: 1), side: UnsafeBufferPointer(start: nil, count: 0),
            text: UnsafeBufferPointer(start: nil, count: 0), treeMembers: UnsafeBufferPointer(start: nil, count: 0))
    }()

    @inline(__always) func word(_ index: Int) -> UInt32 {
        precondition(index >= 0 && index < words.count, "tape index out of range")
        return words[index]
    }

    @inline(__always) func kind(_ index: Int) -> DocumentTape.Kind {
        DocumentTape.kind(head: word(index))
    }

    /// The byte offset of the value's location in ``text``.
    @inline(__always) func offset(_ index: Int) -> Int { Int(word(index) & DocumentTape.offsetMask) }

    /// The index just past the value at `index`.
    @inline(__always) func next(_ index: Int) -> Int {
        switch kind(index) {
        case .null, .false, .true, .jsonString, .word, .wordNumber: index + 1
        case .number, .string, .quotedString: index + 2
        case .sideString, .sideNumber, .treeString, .treeNumber, .treeKey: index + 3
        case .sequence, .mapping: Int(word(index + 1))
        }
    }

    /// The index just past the last word of the collection at `index`.
    @inline(__always) func end(_ index: Int) -> Int { Int(word(index + 1)) }

    /// The first child of the collection at `index` (its end when empty).
    @inline(__always) func firstChild(_ index: Int) -> Int { index + 2 }

    /// The number of items (or entries) of the collection at `index`.
    func childCount(_ index: Int) -> Int {
        let end = end(index)
        var child = index + 2
        var count = 0
        if kind(index) == .mapping {
            while child < end {
                child = next(next(child))
                count += 1
            }
        } else {
            while child < end {
                child = next(child)
                count += 1
            }
        }
        return count
    }

    /// Whether the value at `index` is a string.
    @inline(__always) func isStringValue(_ index: Int) -> Bool {
        let kind = word(index) >> 28
        return kind == DocumentTape.Kind.jsonString.rawValue || kind == DocumentTape.Kind.string.rawValue
            || kind == DocumentTape.Kind.quotedString.rawValue || kind == DocumentTape.Kind.sideString.rawValue
            || kind == DocumentTape.Kind.treeString.rawValue || kind == DocumentTape.Kind.treeKey.rawValue
            || kind == DocumentTape.Kind.word.rawValue
    }

    /// Whether the value at `index` is a number.
    @inline(__always) func isNumber(_ index: Int) -> Bool {
        let kind = word(index) >> 28
        return kind == DocumentTape.Kind.number.rawValue || kind == DocumentTape.Kind.sideNumber.rawValue
            || kind == DocumentTape.Kind.treeNumber.rawValue || kind == DocumentTape.Kind.wordNumber.rawValue
    }

    /// Whether the value at `index` is a tree's string, number or key,
    /// whose text is a `String` in the tree (``treeText(_:)``).
    @inline(__always) func isTreeText(_ index: Int) -> Bool {
        let kind = word(index) >> 28
        return kind >= DocumentTape.Kind.treeString.rawValue && kind <= DocumentTape.Kind.treeKey.rawValue
    }

    /// The tree's own `String` of the string, number or key at `index`.
    @inline(__always) func treeText(_ index: Int) -> String {
        let members = Int(word(index + 1))
        let position = Int(word(index + 2))
        precondition(members < treeMembers.count, "tape tree members out of range")
        return treeMembers[members].text(at: position, isKey: word(index) >> 28 == DocumentTape.Kind.treeKey.rawValue)
    }

    /// The text of the string or number at `index`, which is not a tree's
    /// (those have no bytes on the tape: use ``withBytes(_:_:)``).
    @inline(__always) func bytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let head = word(index)
        let offset = Int(head & DocumentTape.offsetMask)
        switch head >> 28 {
        case DocumentTape.Kind.jsonString.rawValue:
            let start = offset + 1
            return UnsafeBufferPointer(rebasing: text[start..<closingQuote(from: start)])
        case DocumentTape.Kind.sideString.rawValue, DocumentTape.Kind.sideNumber.rawValue:
            let start = Int(word(index + 1))
            let count = Int(word(index + 2))
            precondition(start + count <= side.count, "tape side text out of range")
            return UnsafeBufferPointer(rebasing: side[start..<(start + count)])
        case DocumentTape.Kind.quotedString.rawValue:
            let count = Int(word(index + 1))
            precondition(offset + 1 + count <= text.count, "tape text out of range")
            return UnsafeBufferPointer(rebasing: text[(offset + 1)..<(offset + 1 + count)])
        case DocumentTape.Kind.word.rawValue, DocumentTape.Kind.wordNumber.rawValue:
            precondition(offset <= text.count, "tape text out of range")
            var end = offset
            while end < text.count && DocumentTape.isWordByte(text[end]) { end += 1 }
            return UnsafeBufferPointer(rebasing: text[offset..<end])
        case DocumentTape.Kind.number.rawValue, DocumentTape.Kind.string.rawValue:
            let count = Int(word(index + 1))
            precondition(offset + count <= text.count, "tape text out of range")
            return UnsafeBufferPointer(rebasing: text[offset..<(offset + count)])
        default:
            return UnsafeBufferPointer(start: nil, count: 0)
        }
    }

    /// Calls `body` with the text of the string or number at `index`.
    @inline(__always) func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard isTreeText(index) else { return try body(bytes(index)) }
        var string = treeText(index)
        return try string.withUTF8(body)
    }

    /// The string or number at `index` as a `String`: a tree's own, or made
    /// from the text.
    @inline(__always) func string(_ index: Int) -> String {
        isTreeText(index) ? treeText(index) : String(decoding: bytes(index), as: UTF8.self)
    }

    /// The offset of the first double quote at or after `start` (the end of
    /// the text when there is none), eight bytes at a time.
    func closingQuote(from start: Int) -> Int {
        precondition(start >= 0 && start <= text.count, "tape text out of range")
        var index = start
        if let base = text.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            while index + 8 <= text.count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let found = (quote &- ones) & ~quote & (ones &* 0x80)
                if found != 0 { return index + found.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < text.count && text[index] != 0x22 { index += 1 }
        return index
    }

    /// Whether the text of the string at `index` equals `name` (whose UTF-8
    /// is `bytes`), compared the way ``Node/Mapping`` compares keys: equal
    /// UTF-8 lengths and equal strings (bytes, or canonical equivalence
    /// when either is not ASCII).
    @inline(__always) func key(_ index: Int, equals name: UnsafeBufferPointer<UInt8>, string: String) -> Bool {
        let head = word(index)
        if head >> 28 == DocumentTape.Kind.treeKey.rawValue {
            let key = treeText(index)
            return key.utf8.count == name.count && key == string
        }
        if head >> 28 == DocumentTape.Kind.jsonString.rawValue {
            // The text is `name` if it starts with name's bytes and a quote follows.
            let start = Int(head & DocumentTape.offsetMask) + 1
            let stop = start + name.count
            if stop < text.count && text[stop] == 0x22 {
                var index = 0
                while index < name.count && text[start + index] == name[index] { index += 1 }
                if index == name.count { return true }
            }
            // An ASCII name is only canonically equivalent to a key of the
            // same length when their bytes are equal: every non-ASCII
            // character that decomposes to ASCII is longer than its decomposition.
            guard Self.hasNonASCII(name) else { return false }
            let key = UnsafeBufferPointer(rebasing: text[start..<closingQuote(from: start)])
            return key.count == name.count && String(decoding: key, as: UTF8.self) == String(decoding: name, as: UTF8.self)
        }
        if head >> 28 == DocumentTape.Kind.word.rawValue {
            // A word is the run of word bytes at its offset: it is `name` when
            // name's bytes are there, all word bytes, and the run ends after
            // them, which is one pass instead of finding the run's end first.
            // A word is ASCII, so only equal bytes make equal strings (as for
            // JSON keys above).
            let start = Int(head & DocumentTape.offsetMask)
            let stop = start + name.count
            guard stop <= text.count else { return false }
            var index = 0
            while index < name.count {
                let byte = text[start + index]
                guard byte == name[index] && DocumentTape.isWordByte(byte) else { return false }
                index += 1
            }
            return stop == text.count || !DocumentTape.isWordByte(text[stop])
        }
        let key = bytes(index)
        guard key.count == name.count else { return false }
        var index = 0
        while index < key.count && key[index] == name[index] { index += 1 }
        if index == key.count { return true }
        guard Self.hasNonASCII(name) else { return false }
        return String(decoding: key, as: UTF8.self) == String(decoding: name, as: UTF8.self)
    }

    /// Whether the strings at `lhs` and `rhs` are equal as Swift strings
    /// (canonical equivalence): the duplicate-key test of the readers.
    ///
    /// Most pairs of keys differ early, so the test stops at the first
    /// difference whenever that settles it: two texts that are equal bytes
    /// up to two different ASCII characters are different strings (an ASCII
    /// character starts a character and decomposes to itself), and a text
    /// that is a strict prefix of the other is a different string (its
    /// decomposition has fewer scalars). Only a difference at a non-ASCII
    /// byte makes Swift strings and compares them.
    func sameText(_ lhs: Int, _ rhs: Int) -> Bool {
        if isTreeText(lhs) || isTreeText(rhs) { return string(lhs) == string(rhs) }
        if word(lhs) >> 28 == DocumentTape.Kind.word.rawValue && word(rhs) >> 28 == DocumentTape.Kind.word.rawValue {
            return sameWord(lhs, rhs)
        }
        let left = bytes(lhs)
        let right = bytes(rhs)
        let shorter = min(left.count, right.count)
        var index = 0
        while index < shorter && left[index] == right[index] { index += 1 }
        if index == shorter { return left.count == right.count }
        if left[index] < 0x80 && right[index] < 0x80 { return false }
        return String(decoding: left, as: UTF8.self) == String(decoding: right, as: UTF8.self)
    }

    /// ``sameText(_:_:)`` for two words: each is the run of word bytes at its
    /// offset (ASCII), so they are equal when the runs are equal bytes and
    /// end together — one pass, without finding either run's end first.
    private func sameWord(_ lhs: Int, _ rhs: Int) -> Bool {
        var left = Int(word(lhs) & DocumentTape.offsetMask)
        var right = Int(word(rhs) & DocumentTape.offsetMask)
        while true {
            let leftByte: UInt8? = left < text.count ? text[left] : nil
            let rightByte: UInt8? = right < text.count ? text[right] : nil
            let leftGoesOn = leftByte.map(DocumentTape.isWordByte) ?? false
            let rightGoesOn = rightByte.map(DocumentTape.isWordByte) ?? false
            guard leftGoesOn && rightGoesOn else { return leftGoesOn == rightGoesOn }
            guard leftByte == rightByte else { return false }
            left += 1
            right += 1
        }
    }

    static func hasNonASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 { return true }
        return false
    }

    /// A short name of the value's kind, as ``Node/kindDescription`` gives it.
    func kindDescription(_ index: Int) -> String {
        switch kind(index) {
        case .null: "null"
        case .false, .true: "a boolean"
        case .number, .sideNumber, .treeNumber, .wordNumber: "a number"
        case .string, .quotedString, .sideString, .jsonString, .treeString, .treeKey, .word: "a string"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }
}
