extension JSONReader {
    /// The parsing state over one UTF-8 buffer.
    ///
    /// Containers are parsed without recursion: open arrays and objects are
    /// frames on an explicit stack, so depth is bounded only by
    /// ``ParseLimits/maxDepth``, never by the thread's stack. Their members
    /// wait on the shared `items` and `entries` stacks until the container
    /// closes. Positions are
    /// byte offsets into `bytes`; every read checks `position < end` first.
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
        /// The items of the open arrays, innermost last.
        var items = ValueStack<Node>()
        /// The entries of the open objects, innermost last.
        var entries = ValueStack<Node.Mapping.Entry>()

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

        /// An array or object being parsed.
        private struct Frame {
            var isObject: Bool
            var location: SourceLocation
            /// Where the container's members start on `items` or `entries`.
            var start: Int
            /// The key whose value is being parsed.
            var key = ""
            var keyLocation: SourceLocation? = nil
            /// Positions of the keys, built once an object is large enough
            /// for linear duplicate checks to cost more than hashing.
            var keyIndex: [String: Int]? = nil
        }

        /// Objects with more entries than this index their keys in a dictionary.
        private static let linearKeySearchLimit = 16

        /// Parses one value starting at `position`, whitespace skipped.
        mutating func parseValue() throws(CodecError) -> Node {
            // The innermost open container is `current`; those around it wait on `outer`.
            var outer: [Frame] = []
            var current = Frame(isObject: false, location: location(at: position), start: 0)
            var depth = 0
            while true {
                var value: Node
                guard position < end else {
                    throw error(.syntax, "unexpected end of input; expected a value")
                }
                let start = position
                let startLocation = location(at: start)
                switch bytes[start] {
                case UInt8(ascii: "\""):
                    value = Node(.string(try parseString()), location: startLocation)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    value = Node(.number(try parseNumber()), location: startLocation)
                case UInt8(ascii: "["):
                    try checkDepth(depth)
                    position += 1
                    skipWhitespace()
                    if position < end && bytes[position] == UInt8(ascii: "]") {
                        position += 1
                        value = Node(.sequence([]), location: startLocation)
                    } else {
                        if depth > 0 { outer.append(current) }
                        current = Frame(isObject: false, location: startLocation, start: items.count)
                        depth += 1
                        continue
                    }
                case UInt8(ascii: "{"):
                    try checkDepth(depth)
                    position += 1
                    skipWhitespace()
                    if position < end && bytes[position] == UInt8(ascii: "}") {
                        position += 1
                        value = Node(.mapping(Node.Mapping()), location: startLocation)
                    } else {
                        var frame = Frame(isObject: true, location: startLocation, start: entries.count)
                        try parseKey(into: &frame, afterComma: false)
                        if depth > 0 { outer.append(current) }
                        current = frame
                        depth += 1
                        continue
                    }
                default:
                    value = Node(try parseLiteral(), location: startLocation)
                }

                // Hand the value to its container, closing containers that end here.
                while depth > 0 {
                    skipWhitespace()
                    let next: UInt8? = position < end ? bytes[position] : nil
                    if current.isObject {
                        current.keyIndex?[current.key] = entries.count
                        entries.append(
                            Node.Mapping.Entry(key: current.key, value: value, keyLocation: current.keyLocation)
                        )
                        if next == UInt8(ascii: ",") {
                            position += 1
                            skipWhitespace()
                            try parseKey(into: &current, afterComma: true)
                            break
                        }
                        guard next == UInt8(ascii: "}") else {
                            throw unexpected("after object member; expected ',' or '}'", opener: current.location)
                        }
                        position += 1
                        value = Node(
                            .mapping(Node.Mapping(entries.popArray(from: current.start))),
                            location: current.location
                        )
                    } else {
                        items.append(value)
                        if next == UInt8(ascii: ",") {
                            position += 1
                            skipWhitespace()
                            if position < end && bytes[position] == UInt8(ascii: "]") {
                                throw error(.syntax, "trailing comma before ']'; remove the comma")
                            }
                            break
                        }
                        guard next == UInt8(ascii: "]") else {
                            throw unexpected("after array element; expected ',' or ']'", opener: current.location)
                        }
                        position += 1
                        value = Node(.sequence(items.popArray(from: current.start)), location: current.location)
                    }
                    depth -= 1
                    if let enclosing = outer.popLast() { current = enclosing }
                }
                if depth == 0 { return value }
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

        /// Parses `"key" :` and leaves `position` at the value.
        private mutating func parseKey(into frame: inout Frame, afterComma: Bool) throws(CodecError) {
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
            let keyLocation = location(at: position)
            let key = try parseString()
            if let first = firstEntry(withKey: key, in: &frame) {
                let firstLocation = entries[first].keyLocation.map {
                    " (first at line \($0.line), column \($0.column))"
                }
                throw CodecError(
                    .duplicateKey,
                    "duplicate key \(Self.quoted(key)) in object\(firstLocation ?? ""); each key may appear only once",
                    at: keyLocation
                )
            }
            frame.key = key
            frame.keyLocation = keyLocation
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else {
                let found = position < end ? describeByte(at: position) : "end of input"
                throw error(.syntax, "unexpected \(found) after object key; expected ':'")
            }
            position += 1
            skipWhitespace()
        }

        /// The position on `entries` of the open object's entry with `key`.
        private func firstEntry(withKey key: String, in frame: inout Frame) -> Int? {
            if frame.keyIndex == nil && entries.count - frame.start > Self.linearKeySearchLimit {
                frame.keyIndex = entries.keyIndex(from: frame.start)
            }
            if let keyIndex = frame.keyIndex { return keyIndex[key] }
            return entries.index(ofKey: key, from: frame.start)
        }

        /// A key for a message: quoted, escaped, shortened when long.
        static func quoted(_ key: String) -> String {
            let shown = key.unicodeScalars.count > 60 ? String(key.unicodeScalars.prefix(57)) + "..." : key
            return String(reflecting: shown)
        }
    }
}
