/// What ``TapeEncoding`` writes: a document as a flat, append-only list of
/// records, in the order a writer emits them.
///
/// A record is a one-byte tag, then for keys, strings and numbers a length
/// (LEB128) and the UTF-8 bytes. A collection is its begin tag, its content
/// and an end tag; a mapping's content is a key record before each value.
/// Strings longer than ``referenceThreshold`` bytes are not copied: the
/// record holds the index of the string in ``strings``, which shares the
/// encoded value's storage. A document costs about its text minus the
/// indentation, where a ``Node`` tree costs several times its text.
///
/// Keys are in the order they are written: the encoder sorts a dictionary
/// before it appends it, and encodes through the tree when every mapping is
/// to be sorted.
struct EncodingTape {
    enum Tag: UInt8 {
        case beginMapping = 1
        case beginSequence
        case end
        case key
        case keyReference
        case null
        case `true`
        case `false`
        case number
        case string
        case stringReference
    }

    /// Strings longer than this are referenced, not copied.
    static var referenceThreshold: Int { 48 }

    private(set) var bytes: [UInt8] = []
    private(set) var strings: [String] = []

    init() {
        bytes.reserveCapacity(1024)
    }

    mutating func append(_ tag: Tag) {
        bytes.append(tag.rawValue)
    }

    mutating func appendKey(_ key: String) {
        append(key, tag: .key, reference: .keyReference)
    }

    mutating func appendString(_ string: String) {
        append(string, tag: .string, reference: .stringReference)
    }

    /// A number's text (``Node/Number/text``).
    mutating func appendNumber(_ text: String) {
        var text = text
        text.withUTF8 { append(.number, $0) }
    }

    /// A scalar node, or a whole tree, as it is: keys in the tree's order.
    mutating func appendNode(_ node: Node) {
        switch node.content {
        case .null:
            append(.null)
        case .bool(let value):
            append(value ? .true : .false)
        case .number(let number):
            appendNumber(number.text)
        case .string(let string):
            appendString(string)
        case .sequence(let items):
            append(.beginSequence)
            for item in items { appendNode(item) }
            append(.end)
        case .mapping(let mapping):
            append(.beginMapping)
            for entry in mapping.entries {
                appendKey(entry.key)
                appendNode(entry.value)
            }
            append(.end)
        }
    }

    private mutating func append(_ string: String, tag: Tag, reference: Tag) {
        var string = string
        if string.utf8.count > Self.referenceThreshold {
            string.makeContiguousUTF8()
            append(reference)
            appendLength(strings.count)
            strings.append(string)
        } else {
            string.withUTF8 { append(tag, $0) }
        }
    }

    private mutating func append(_ tag: Tag, _ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(tag.rawValue)
        appendLength(text.count)
        bytes.append(contentsOf: text)
    }

    private mutating func appendLength(_ length: Int) {
        var rest = UInt(length)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}

// MARK: - Sorting a mapping

extension EncodingTape {
    /// The position where the next record goes.
    var endPosition: Int { bytes.count }

    /// Sorts the entries of the mapping being appended by the UTF-8 bytes
    /// of their keys (the order of ``NodeMappingBuilder/precedesInUTF8(_:_:)``):
    /// `starts` are the positions of its key records, in the order they
    /// were appended, the last entry ending at the end of the tape. The
    /// entries are moved as they are, nested values and all.
    mutating func sortEntries(startingAt starts: [Int]) {
        guard starts.count > 1 else { return }
        var order = starts
        let strings = self.strings
        bytes.withUnsafeBufferPointer { tape in
            order.sort { left, right in
                Self.withKey(at: left, in: tape, strings: strings) { leftKey in
                    Self.withKey(at: right, in: tape, strings: strings) { rightKey in
                        Self.precedes(leftKey, rightKey)
                    }
                }
            }
        }
        moveEntries(startingAt: starts, into: order)
    }

    /// Sorts the entries as above by `keys`, the integer value of each
    /// entry's key (an `[Int: V]` dictionary's order).
    mutating func sortEntries(startingAt starts: [Int], byIntegers keys: [Int]) {
        guard starts.count > 1 else { return }
        let order = keys.indices.sorted { keys[$0] < keys[$1] }.map { starts[$0] }
        moveEntries(startingAt: starts, into: order)
    }

    /// Rewrites the entries at `starts` (the last one ending at the end of
    /// the tape) in `order`, a permutation of `starts`.
    private mutating func moveEntries(startingAt starts: [Int], into order: [Int]) {
        guard let first = starts.first, order != starts else { return }
        var sorted: [UInt8] = []
        sorted.reserveCapacity(bytes.count - first)
        bytes.withUnsafeBufferPointer { tape in
            for start in order {
                let end = Self.valueEnd(in: tape, from: Self.recordEnd(in: tape, from: start))
                sorted.append(contentsOf: UnsafeBufferPointer(rebasing: tape[start..<end]))
            }
        }
        bytes.replaceSubrange(first..., with: sorted)
    }

    /// Calls `body` with the bytes of the key whose record starts at `position`.
    private static func withKey<R>(
        at position: Int,
        in tape: UnsafeBufferPointer<UInt8>,
        strings: [String],
        _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        var position = position
        let tag = tape[position]
        position += 1
        let length = Self.length(in: tape, at: &position)
        if tag == Tag.keyReference.rawValue {
            var key = strings[length]
            return key.withUTF8(body)
        }
        return body(UnsafeBufferPointer(rebasing: tape[position..<position + length]))
    }

    /// Whether `left` sorts before `right` by their bytes.
    private static func precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(left.count, right.count)
        var index = 0
        while index < common {
            if left[index] != right[index] { return left[index] < right[index] }
            index += 1
        }
        return left.count < right.count
    }

    /// The position after the record at `position`.
    private static func recordEnd(in tape: UnsafeBufferPointer<UInt8>, from position: Int) -> Int {
        var position = position
        let tag = Tag(rawValue: tape[position])
        position += 1
        switch tag {
        case .key, .number, .string:
            let length = Self.length(in: tape, at: &position)
            return position + length
        case .keyReference, .stringReference:
            _ = Self.length(in: tape, at: &position)
            return position
        default:
            return position
        }
    }

    /// The position after the value whose first record is at `position`:
    /// a scalar, or a collection up to its end.
    private static func valueEnd(in tape: UnsafeBufferPointer<UInt8>, from position: Int) -> Int {
        var position = position
        var depth = 0
        repeat {
            switch tape[position] {
            case Tag.beginMapping.rawValue, Tag.beginSequence.rawValue: depth += 1
            case Tag.end.rawValue: depth -= 1
            default: break
            }
            position = recordEnd(in: tape, from: position)
        } while depth > 0
        return position
    }
}

// MARK: - Reading

extension EncodingTape {
    /// One record, its text lent for the call.
    enum Record {
        case beginMapping
        case beginSequence
        case end
        case key(UnsafeBufferPointer<UInt8>)
        case null
        case bool(Bool)
        case number(UnsafeBufferPointer<UInt8>)
        case string(UnsafeBufferPointer<UInt8>)
    }

    /// Calls `body` with each record in order, and whether the record after
    /// it ends a collection (so that an empty collection is known at its
    /// begin).
    func forEachRecord(_ body: (Record, _ nextIsEnd: Bool) -> Void) {
        bytes.withUnsafeBufferPointer { tape in
            var position = 0
            let count = tape.count
            while position < count {
                let tag = Tag(rawValue: tape[position])
                position += 1
                switch tag {
                case .beginMapping, .beginSequence:
                    let isEmpty = position < count && tape[position] == Tag.end.rawValue
                    body(tag == .beginMapping ? .beginMapping : .beginSequence, isEmpty)
                case .end:
                    body(.end, false)
                case .null:
                    body(.null, false)
                case .true:
                    body(.bool(true), false)
                case .false:
                    body(.bool(false), false)
                case .key, .number, .string:
                    let length = Self.length(in: tape, at: &position)
                    let text = UnsafeBufferPointer(rebasing: tape[position..<position + length])
                    position += length
                    body(tag == .key ? .key(text) : tag == .number ? .number(text) : .string(text), false)
                case .keyReference, .stringReference:
                    var string = strings[Self.length(in: tape, at: &position)]
                    string.withUTF8 { body(tag == .keyReference ? .key($0) : .string($0), false) }
                case nil:
                    preconditionFailure("EncodingTape: unknown tag \(tape[position - 1])")
                }
            }
        }
    }

    private static func length(in tape: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Int {
        var length = 0
        var shift = 0
        while true {
            let byte = tape[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return length }
            shift += 7
        }
    }
}

// MARK: - Writing text

extension YAMLWriter {
    /// One document from an encoding tape, ending with a line break.
    func writeBytes(_ tape: EncodingTape) -> [UInt8] {
        var emitter = Emitter(options: options)
        // Reserving what the text will likely need saves the copies of a
        // growing buffer; pages reserved and never written cost nothing.
        emitter.output.reserveCapacity(tape.estimatedTextSize)
        var skipEnd = false
        tape.forEachRecord { record, nextIsEnd in
            switch record {
            case .beginMapping where nextIsEnd:
                emitter.scalar(.emptyMapping)
                skipEnd = true
            case .beginSequence where nextIsEnd:
                emitter.scalar(.emptySequence)
                skipEnd = true
            case .beginMapping: emitter.beginMapping()
            case .beginSequence: emitter.beginSequence()
            case .end:
                if skipEnd {
                    skipEnd = false
                } else {
                    emitter.end()
                }
            case .key(let bytes): emitter.key(bytes)
            case .null: emitter.scalar(.null)
            case .bool(let value): emitter.scalar(.bool(value))
            case .number(let text): emitter.scalar(.number(text))
            case .string(let bytes): emitter.scalar(.string(bytes))
            }
        }
        return emitter.output
    }
}

extension JSONWriter {
    /// The JSON text of an encoding tape.
    ///
    /// - Throws: ``CodecError`` with code ``CodecError/Code/invalidValue``
    ///   when the tape holds an infinite or NaN number.
    func writeBytes(_ tape: EncodingTape) throws(CodecError) -> [UInt8] {
        var emitter = Emitter(options: options)
        emitter.output.reserveCapacity(tape.estimatedTextSize)
        var failure: CodecError?
        tape.forEachRecord { record, _ in
            guard failure == nil else { return }
            switch record {
            case .beginMapping: emitter.begin(isMapping: true)
            case .beginSequence: emitter.begin(isMapping: false)
            case .end: emitter.end()
            case .key(let bytes): emitter.key(bytes)
            case .null: emitter.scalar(.null)
            case .bool(let value): emitter.scalar(.bool(value))
            case .number(let text):
                do throws(CodecError) {
                    try emitter.number(text)
                } catch {
                    failure = error
                }
            case .string(let bytes): emitter.string(bytes)
            }
        }
        if let failure { throw failure }
        return emitter.output
    }
}

extension EncodingTape {
    /// About the size of the text written from the tape, indentation
    /// aside: twice the size of the tape and its referenced strings.
    var estimatedTextSize: Int {
        var size = bytes.count
        for string in strings { size += string.utf8.count }
        return 2 * size + 256
    }
}
