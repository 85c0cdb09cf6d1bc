/// What ``TapeEncoding`` writes: a document as a flat, append-only list of
/// records, in the order a writer emits them.
///
/// A record is a one-byte tag, then for keys, strings and numbers a length
/// (LEB128) and the UTF-8 bytes. A collection is its begin tag, its content
/// and an end tag; a mapping's content is a key record before each value.
/// Strings and numbers longer than ``referenceThreshold`` bytes are not
/// copied: the record holds the index of the text in ``strings``, which
/// shares the encoded value's storage. A document costs about its text
/// minus the indentation, where a ``Node`` tree costs several times its text.
///
/// The records are kept in chunks of ``chunkSize`` bytes that are never
/// copied or grown, so that appending touches each byte of memory once
/// (an array growing by doubling copies itself onto fresh pages each time,
/// and touched about twice the tape). A record never spans two chunks: one
/// that does not fit the rest of a chunk goes to the next, and the rest is
/// padding (zero bytes, no tag). A position is `chunk * chunkSize + offset`.
///
/// Keys are in the order they are written, but for a dictionary's: the
/// encoder appends its entries as they come and then records their sorted
/// order (``sortEntries(mappingAt:startingAt:)``), which the reader follows.
/// When every mapping is to be sorted it encodes through the tree.
///
/// A class: the tape owns its chunks and is never copied.
final class EncodingTape {
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
        case numberReference
        /// A mapping whose entries are read in the order kept in `sortedMappings`.
        case beginSortedMapping
    }

    /// Strings and numbers longer than this are referenced, not copied, so
    /// that every record fits in a chunk.
    static var referenceThreshold: Int { 48 }

    static var chunkShift: Int { 15 }
    /// The size of a chunk: 32 KiB.
    static var chunkSize: Int { 1 << chunkShift }
    private static var offsetMask: Int { chunkSize - 1 }

    private var chunks: [UnsafeMutablePointer<UInt8>]
    /// The last chunk, where records are appended.
    private var last: UnsafeMutablePointer<UInt8>
    /// The bytes written in the last chunk.
    private var used: Int
    /// The collections open where the next record goes.
    private var depth = 0
    /// The sum of how deep each record is (begin and end records aside):
    /// what indentation may add to the text (`estimatedTextSize`).
    private var nestedRecords = 0
    private(set) var strings: [String] = []
    /// The mappings whose entries are sorted, by the position of their begin record.
    private var sortedMappings: [Int: SortedMapping] = [:]

    init() {
        last = .allocate(capacity: Self.chunkSize)
        chunks = [last]
        used = 0
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    /// Makes room for a record of at most `size` bytes.
    @inline(__always)
    private func reserve(_ size: Int) {
        if used + size > Self.chunkSize { startChunk() }
    }

    private func startChunk() {
        (last + used).initialize(repeating: 0, count: Self.chunkSize - used)
        last = .allocate(capacity: Self.chunkSize)
        chunks.append(last)
        used = 0
    }

    @inline(__always)
    private func put(_ byte: UInt8) {
        last[used] = byte
        used += 1
    }

    func append(_ tag: Tag) {
        reserve(1)
        put(tag.rawValue)
        switch tag {
        case .beginMapping, .beginSequence:
            nestedRecords &+= depth
            depth += 1
        case .end:
            depth -= 1
        default:
            nestedRecords &+= depth
        }
    }

    func appendKey(_ key: String) {
        append(key, tag: .key, reference: .keyReference)
    }

    func appendString(_ string: String) {
        append(string, tag: .string, reference: .stringReference)
    }

    /// A number's text (``Node/Number/text``).
    func appendNumber(_ text: String) {
        append(text, tag: .number, reference: .numberReference)
    }

    /// A scalar node, or a whole tree, as it is: keys in the tree's order.
    func appendNode(_ node: Node) {
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

    private func append(_ string: String, tag: Tag, reference: Tag) {
        nestedRecords &+= depth
        var string = string
        if string.utf8.count > Self.referenceThreshold {
            string.makeContiguousUTF8()
            reserve(11)
            put(reference.rawValue)
            appendLength(strings.count)
            strings.append(string)
        } else {
            string.withUTF8 { text in
                reserve(2 + text.count)
                put(tag.rawValue)
                put(UInt8(text.count))  // at most referenceThreshold: one LEB128 byte
                guard let base = text.baseAddress else { return }
                (last + used).initialize(from: base, count: text.count)
                used += text.count
            }
        }
    }

    private func appendLength(_ length: Int) {
        var rest = UInt(length)
        while rest >= 0x80 {
            put(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        put(UInt8(rest))
    }
}

// MARK: - Positions

extension EncodingTape {
    /// The position where the next record goes (a record that does not fit
    /// the rest of the last chunk goes to the start of the next one).
    var endPosition: Int { (chunks.count - 1) << Self.chunkShift + used }

    /// The position of the record at or after `position`: past the padding
    /// at the end of a chunk.
    private static func recordStart(_ position: Int, in chunks: [UnsafeMutablePointer<UInt8>]) -> Int {
        let chunk = position >> chunkShift
        if chunk < chunks.count - 1 && chunks[chunk][position & offsetMask] == 0 {
            return (chunk + 1) << chunkShift
        }
        return position
    }

    /// The record at or after `position` (past padding), for the sort.
    @inline(__always)
    private static func record(
        at position: Int, in table: UnsafeBufferPointer<UnsafeMutablePointer<UInt8>>
    ) -> UnsafeMutablePointer<UInt8> {
        let chunk = position >> chunkShift
        let record = table[chunk] + (position & offsetMask)
        return record[0] == 0 ? table[chunk + 1] : record
    }

    private static func pointer(_ position: Int, in chunks: [UnsafeMutablePointer<UInt8>]) -> UnsafeMutablePointer<UInt8> {
        chunks[position >> chunkShift] + (position & offsetMask)
    }

    static func length(in record: UnsafeMutablePointer<UInt8>, at position: inout Int) -> Int {
        var length = 0
        var shift = 0
        while true {
            let byte = record[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return length }
            shift += 7
        }
    }
}

// MARK: - Sorting a mapping

extension EncodingTape {
    /// A mapping whose entries are read in another order than they were
    /// appended.
    struct SortedMapping {
        /// The positions of its key records, in the order appended.
        var starts: [Int]
        /// The indices of `starts` in the order to read.
        var order: [UInt32]
        /// The position of its end record.
        var end: Int
    }

    /// Sorts the entries of the mapping being appended, whose begin record
    /// is at `begin`, by the UTF-8 bytes of their keys (the order of
    /// ``NodeMappingBuilder/precedesInUTF8(_:_:)``): `starts` are the
    /// positions of its key records, in the order they were appended, the
    /// last entry ending at the end of the tape.
    ///
    /// Nothing is moved: the tape records the order (four bytes an entry,
    /// besides `starts`) and marks the begin record, and
    /// ``forEachRecord(_:)`` reads the entries in that order.
    func sortEntries(mappingAt begin: Int, startingAt starts: [Int]) {
        guard starts.count > 1 else { return }
        var order = (0..<starts.count).map { UInt32($0) }
        let chunks = self.chunks
        let strings = self.strings
        chunks.withUnsafeBufferPointer { table in
            order.sort { left, right in
                let leftRecord = Self.record(at: starts[Int(left)], in: table)
                let rightRecord = Self.record(at: starts[Int(right)], in: table)
                // A key copied onto the tape has a one-byte length.
                if leftRecord[0] == Tag.key.rawValue && rightRecord[0] == Tag.key.rawValue {
                    return Self.precedes(
                        UnsafeBufferPointer(start: leftRecord + 2, count: Int(leftRecord[1])),
                        UnsafeBufferPointer(start: rightRecord + 2, count: Int(rightRecord[1]))
                    )
                }
                return Self.withKey(at: starts[Int(left)], in: chunks, strings: strings) { leftKey in
                    Self.withKey(at: starts[Int(right)], in: chunks, strings: strings) { rightKey in
                        Self.precedes(leftKey, rightKey)
                    }
                }
            }
        }
        record(SortedMapping(starts: starts, order: order, end: endPosition), at: begin)
    }

    /// Sorts the entries as above by `keys`, the integer value of each
    /// entry's key (an `[Int: V]` dictionary's order).
    func sortEntries(mappingAt begin: Int, startingAt starts: [Int], byIntegers keys: [Int]) {
        guard starts.count > 1 else { return }
        var order = (0..<starts.count).map { UInt32($0) }
        order.sort { keys[Int($0)] < keys[Int($1)] }
        record(SortedMapping(starts: starts, order: order, end: endPosition), at: begin)
    }

    /// Keeps the order of the mapping at `begin`, unless it is the order
    /// of the tape.
    private func record(_ mapping: SortedMapping, at begin: Int) {
        var inOrder = true
        for (index, entry) in mapping.order.enumerated() where Int(entry) != index {
            inOrder = false
            break
        }
        guard !inOrder else { return }
        let begin = Self.recordStart(begin, in: chunks)
        let record = Self.pointer(begin, in: chunks)
        precondition(record[0] == Tag.beginMapping.rawValue, "EncodingTape: no mapping at \(begin)")
        record[0] = Tag.beginSortedMapping.rawValue
        sortedMappings[begin] = mapping
    }

    /// Calls `body` with the bytes of the key whose record starts at `position`.
    private static func withKey<R>(
        at position: Int,
        in chunks: [UnsafeMutablePointer<UInt8>],
        strings: [String],
        _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        let record = pointer(recordStart(position, in: chunks), in: chunks)
        var position = 1
        let length = Self.length(in: record, at: &position)
        if record[0] == Tag.keyReference.rawValue {
            var key = strings[length]
            return key.withUTF8(body)
        }
        return body(UnsafeBufferPointer(start: record + position, count: length))
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
        read(from: 0, to: endPosition, chunks: chunks, strings: strings, body)
    }

    /// Reads the records from `start` up to `end`, following the order of
    /// sorted mappings.
    private func read(
        from start: Int,
        to end: Int,
        chunks: [UnsafeMutablePointer<UInt8>],
        strings: [String],
        _ body: (Record, _ nextIsEnd: Bool) -> Void
    ) {
        let lastIndex = chunks.count - 1
        var position = start
        while position < end {
            let index = position >> Self.chunkShift
            let chunk = chunks[index]
            let limit = index == lastIndex ? used : Self.chunkSize
            let stop = min(limit, end - index << Self.chunkShift)
            var offset = position & Self.offsetMask
            var resume: Int?
            records: while offset < stop, chunk[offset] != 0 {
                let tag = Tag(rawValue: chunk[offset])
                offset += 1
                switch tag {
                case .beginMapping, .beginSequence:
                    // A chunk after the first starts with a record.
                    let next = offset < limit && chunk[offset] != 0
                        ? chunk[offset] : index < lastIndex ? chunks[index + 1][0] : 0
                    body(tag == .beginMapping ? .beginMapping : .beginSequence, next == Tag.end.rawValue)
                case .beginSortedMapping:
                    guard let mapping = sortedMappings[index << Self.chunkShift + offset - 1] else {
                        preconditionFailure("EncodingTape: no order for the mapping at \(index << Self.chunkShift + offset - 1)")
                    }
                    body(.beginMapping, false)
                    for entry in mapping.order {
                        let entry = Int(entry)
                        let entryEnd = entry + 1 < mapping.starts.count ? mapping.starts[entry + 1] : mapping.end
                        read(from: mapping.starts[entry], to: entryEnd, chunks: chunks, strings: strings, body)
                    }
                    body(.end, false)
                    resume = Self.recordStart(mapping.end, in: chunks) + 1
                    break records
                case .end:
                    body(.end, false)
                case .null:
                    body(.null, false)
                case .true:
                    body(.bool(true), false)
                case .false:
                    body(.bool(false), false)
                case .key, .number, .string:
                    let length = Self.length(in: chunk, at: &offset)
                    let text = UnsafeBufferPointer(start: chunk + offset, count: length)
                    offset += length
                    body(tag == .key ? .key(text) : tag == .number ? .number(text) : .string(text), false)
                case .keyReference, .stringReference, .numberReference:
                    var string = strings[Self.length(in: chunk, at: &offset)]
                    string.withUTF8 {
                        body(tag == .keyReference ? .key($0) : tag == .numberReference ? .number($0) : .string($0), false)
                    }
                case nil:
                    preconditionFailure("EncodingTape: unknown tag \(chunk[offset - 1])")
                }
            }
            if let resume {
                position = resume
            } else if offset < stop {
                position = (index + 1) << Self.chunkShift  // padding: the next chunk
            } else {
                position = index << Self.chunkShift + offset
            }
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
    /// About the size of the text written from the tape, or more: twice
    /// the size of the tape and its referenced strings, and two spaces of
    /// indentation for each level of each record (a record in a mapping
    /// has a key on the same line, so this counts its line twice). Too
    /// little costs the copies of a growing buffer, which for a deeply
    /// nested value, whose text is mostly indentation, needed 3× the text;
    /// pages reserved and never written cost nothing.
    var estimatedTextSize: Int {
        var size = endPosition
        for string in strings { size += string.utf8.count }
        return 2 * size + 2 * nestedRecords + 256
    }
}
