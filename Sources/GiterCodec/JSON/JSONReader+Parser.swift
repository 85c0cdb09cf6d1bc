extension JSONReader {
    /// The parsing state over one UTF-8 buffer.
    ///
    /// Values are written to a ``DocumentTape``. Containers are parsed
    /// without recursion: open arrays and objects are frames on an explicit
    /// stack, so depth is bounded only by ``ParseLimits/maxDepth``, never by
    /// the thread's stack. The keys of the open objects wait on the shared
    /// `keys` stack for duplicate checks. Positions are byte offsets into
    /// `bytes`; every read checks `position < end` first.
    struct Parser: ~Copyable {
        let bytes: UnsafeBufferPointer<UInt8>
        let end: Int
        let limits: ParseLimits
        /// The offset of the next byte to read.
        var position: Int
        /// The current 1-based line.
        var line = 1
        /// The offset where the current line starts.
        var lineStart: Int
        /// UTF-8 continuation bytes met since `lineStart`: subtracting them
        /// from the byte distance gives a column in Unicode scalars. Only
        /// strings can hold non-ASCII text, so only string scanning adds to it.
        var continuationBytes = 0
        /// The offset just after the last multi-byte character counted in
        /// `continuationBytes`; locations before it are counted afresh.
        var countedThrough = 0
        /// Reused storage for strings with escapes.
        var scratch: [UInt8] = []
        /// The keys of the open objects, innermost last.
        var keys: [Key] = []

        init(_ bytes: UnsafeBufferPointer<UInt8>, limits: ParseLimits) {
            self.bytes = bytes
            self.end = bytes.count
            self.limits = limits
            let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
            position = hasBOM ? 3 : 0
            lineStart = position
        }

        var atEnd: Bool { position >= end }

        /// The location of `offset`, which must be on the current line at or
        /// after every non-ASCII character scanned so far.
        func location(at offset: Int) -> SourceLocation {
            guard offset < countedThrough, offset >= lineStart else {
                return SourceLocation(line: line, column: offset - lineStart - continuationBytes + 1, offset: offset)
            }
            // An offset before characters already counted (an error at the
            // start of a string whose content was scanned): count again.
            var column = 1
            var index = lineStart
            while index < offset {
                if bytes[index] & 0xC0 != 0x80 { column += 1 }
                index += 1
            }
            return SourceLocation(line: line, column: column, offset: offset)
        }

        func error(_ code: CodecError.Code, _ message: String) -> CodecError {
            CodecError(code, message, at: location(at: position))
        }

        func error(_ code: CodecError.Code, _ message: String, at offset: Int) -> CodecError {
            CodecError(code, message, at: location(at: offset))
        }

        /// Skips JSON whitespace (space, tab, line feed, carriage return),
        /// counting lines. A CR LF pair is one line break, and so is a lone CR.
        mutating func skipWhitespace() {
            while position < end {
                switch bytes[position] {
                case 0x20, 0x09:
                    position += 1
                case 0x0A:
                    position += 1
                    newLine()
                case 0x0D:
                    position += 1
                    if position < end && bytes[position] == 0x0A { position += 1 }
                    newLine()
                default:
                    return
                }
            }
        }

        private mutating func newLine() {
            line += 1
            lineStart = position
            continuationBytes = 0
        }

        // MARK: Values

        /// A key of an open object, for duplicate checks: 8 bytes, so that
        /// the keys of a large object stay small (a mapping of 200,000 keys
        /// on one line keeps them all). Where its text starts and where it
        /// is located are read from its head on the tape; lengths fit 28
        /// bits (a tape describes at most 256 MiB), which leaves the top
        /// bits for the flags.
        struct Key {
            /// The index of the key's head word on the tape.
            private var packedHead: UInt32
            /// The length, with ``inSideFlag`` and ``nonASCIIFlag``.
            private var packedCount: UInt32

            private static var inSideFlag: UInt32 { 1 << 31 }
            private static var nonASCIIFlag: UInt32 { 1 << 30 }

            init(head: Int, count: Int, inSide: Bool, nonASCII: Bool) {
                packedHead = UInt32(truncatingIfNeeded: head)
                packedCount =
                    UInt32(truncatingIfNeeded: count) & DocumentTape.offsetMask
                    | (inSide ? Self.inSideFlag : 0) | (nonASCII ? Self.nonASCIIFlag : 0)
            }

            var head: Int { Int(packedHead) }
            var count: Int { Int(packedCount & DocumentTape.offsetMask) }
            /// Whether the text is in the tape's side text (it had escapes)
            /// rather than in `bytes` after the opening quote.
            var inSide: Bool { packedCount & Self.inSideFlag != 0 }
            var nonASCII: Bool { packedCount & Self.nonASCIIFlag != 0 }

            /// Where the key's text starts: in `bytes`, or in the tape's side text.
            @inline(__always) func start(on words: [UInt32]) -> Int {
                inSide ? Int(words[head + 1]) : opening(on: words) + 1
            }

            /// The offset of its opening quote.
            @inline(__always) func opening(on words: [UInt32]) -> Int {
                Int(words[head] & DocumentTape.offsetMask)
            }
        }

        /// An array or object being parsed.
        private struct Frame {
            var isObject: Bool
            var location: SourceLocation
            /// The container's head on the tape.
            var head: Int
            /// Where the object's keys start on `keys`.
            var keysStart: Int
            /// Finds a repeated key among the object's keys.
            var keyIndex = MappingKeyIndex()
        }

        /// Parses one value starting at `position`, whitespace skipped, and
        /// appends it to `tape`.
        mutating func parseValue(into tape: inout DocumentTape) throws(CodecError) {
            var frames: [Frame] = []
            while true {
                guard position < end else {
                    throw error(.syntax, "unexpected end of input; expected a value")
                }
                let start = position
                switch bytes[start] {
                case UInt8(ascii: "\""):
                    _ = try parseString(into: &tape)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    try parseNumber(into: &tape)
                case UInt8(ascii: "["):
                    try checkDepth(frames.count)
                    let location = location(at: start)
                    let head = tape.beginCollection(.sequence, at: start)
                    position += 1
                    skipWhitespace()
                    if position < end && bytes[position] == UInt8(ascii: "]") {
                        position += 1
                        tape.endCollection(head)
                    } else {
                        frames.append(Frame(isObject: false, location: location, head: head, keysStart: keys.count))
                        continue
                    }
                case UInt8(ascii: "{"):
                    try checkDepth(frames.count)
                    let location = location(at: start)
                    let head = tape.beginCollection(.mapping, at: start)
                    position += 1
                    skipWhitespace()
                    if position < end && bytes[position] == UInt8(ascii: "}") {
                        position += 1
                        tape.endCollection(head)
                    } else {
                        var frame = Frame(isObject: true, location: location, head: head, keysStart: keys.count)
                        try parseKey(into: &frame, tape: &tape, afterComma: false)
                        frames.append(frame)
                        continue
                    }
                default:
                    tape.appendLiteral(try parseLiteral(), at: start)
                }

                // The value is complete: go on in its container, closing containers that end here.
                while let last = frames.indices.last {
                    skipWhitespace()
                    let next: UInt8? = position < end ? bytes[position] : nil
                    if frames[last].isObject {
                        if next == UInt8(ascii: ",") {
                            position += 1
                            skipWhitespace()
                            try parseKey(into: &frames[last], tape: &tape, afterComma: true)
                            break
                        }
                        guard next == UInt8(ascii: "}") else {
                            throw unexpected("after object member; expected ',' or '}'", opener: frames[last].location)
                        }
                        keys.removeSubrange(frames[last].keysStart...)
                    } else {
                        if next == UInt8(ascii: ",") {
                            position += 1
                            skipWhitespace()
                            if position < end && bytes[position] == UInt8(ascii: "]") {
                                throw error(.syntax, "trailing comma before ']'; remove the comma")
                            }
                            break
                        }
                        guard next == UInt8(ascii: "]") else {
                            throw unexpected("after array element; expected ',' or ']'", opener: frames[last].location)
                        }
                    }
                    position += 1
                    tape.endCollection(frames[last].head)
                    frames.removeLast()
                }
                if frames.isEmpty { return }
            }
        }

        private func checkDepth(_ depth: Int) throws(CodecError) {
            guard depth < limits.maxDepth else {
                throw error(
                    .limitExceeded,
                    "arrays and objects nested deeper than \(limits.maxDepth) levels; raise ParseLimits.maxDepth"
                )
            }
        }

        /// An error for an unexpected byte (or the end of input) after a
        /// container's member, naming where the container opened.
        private func unexpected(_ expectation: String, opener: SourceLocation) -> CodecError {
            if position >= end {
                return error(.syntax, "unexpected end of input \(expectation) (the container opened at \(opener))")
            }
            return error(.syntax, "unexpected \(describeByte(at: position)) \(expectation)")
        }

        /// Parses `"key" :`, appends the key to `tape` and leaves `position`
        /// at the value.
        private mutating func parseKey(
            into frame: inout Frame,
            tape: inout DocumentTape,
            afterComma: Bool
        ) throws(CodecError) {
            guard position < end, bytes[position] == UInt8(ascii: "\"") else {
                if position < end && bytes[position] == UInt8(ascii: "}") && afterComma {
                    throw error(.syntax, "trailing comma before '}'; remove the comma")
                }
                if position < end && bytes[position] == UInt8(ascii: "'") {
                    throw error(.syntax, "object keys must be in double quotes, not single quotes")
                }
                let found = position < end ? describeByte(at: position) : "end of input"
                throw error(.syntax, "unexpected \(found); expected an object key in double quotes")
            }
            let head = tape.count
            let scanned = try parseString(into: &tape)
            let key = Key(head: head, count: scanned.count, inSide: scanned.escaped, nonASCII: scanned.nonASCII)
            if let first = firstKey(equalTo: key, in: &frame, tape: tape) {
                let firstLocation = TapeLocator.json(bytes).location(of: keys[first].opening(on: tape.words))
                throw CodecError(
                    .duplicateKey,
                    "duplicate key \(Self.quoted(string(of: key, tape: tape))) in object "
                        + "(first at line \(firstLocation.line), column \(firstLocation.column)); "
                        + "each key may appear only once",
                    at: location(at: scanned.opening)
                )
            }
            keys.append(key)
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else {
                let found = position < end ? describeByte(at: position) : "end of input"
                throw error(.syntax, "unexpected \(found) after object key; expected ':'")
            }
            position += 1
            skipWhitespace()
        }

        private func string(of key: Key, tape: DocumentTape) -> String {
            let start = key.start(on: tape.words)
            if key.inSide { return String(decoding: tape.side[start..<(start + key.count)], as: UTF8.self) }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + key.count)]), as: UTF8.self)
        }

        /// The position on `keys` of the open object's key equal to `key`,
        /// compared as Swift strings (canonical equivalence); when there is
        /// none, `key` is recorded in the object's index as its next key.
        private func firstKey(equalTo key: Key, in frame: inout Frame, tape: DocumentTape) -> Int? {
            let start = frame.keysStart
            let keyStart = key.start(on: tape.words)
            let found = frame.keyIndex.firstEqual(
                after: keys.count - start,
                newKey: { string(of: key, tape: tape) },
                keyAt: { string(of: keys[start + $0], tape: tape) },
                isEqual: { equal(keys[start + $0], key, startingAt: keyStart, tape: tape) }
            )
            return found.map { start + $0 }
        }

        /// Whether the earlier key `lhs` equals the new key `rhs`, whose text starts at `rhsStart`.
        private func equal(_ lhs: Key, _ rhs: Key, startingAt rhsStart: Int, tape: DocumentTape) -> Bool {
            if lhs.nonASCII || rhs.nonASCII { return string(of: lhs, tape: tape) == string(of: rhs, tape: tape) }
            guard lhs.count == rhs.count else { return false }
            let lhsStart = lhs.start(on: tape.words)
            return tape.side.withUnsafeBufferPointer { side in
                let left = lhs.inSide ? side : bytes
                let right = rhs.inSide ? side : bytes
                var index = 0
                while index < lhs.count {
                    if left[lhsStart + index] != right[rhsStart + index] { return false }
                    index += 1
                }
                return true
            }
        }

        /// A key for a message: quoted, escaped, shortened when long.
        static func quoted(_ key: String) -> String {
            let shown = key.unicodeScalars.count > 60 ? String(key.unicodeScalars.prefix(57)) + "..." : key
            return String(reflecting: shown)
        }
    }
}
