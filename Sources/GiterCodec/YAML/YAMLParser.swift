/// The YAML-subset parser: a recursive descent over UTF-8 bytes that tracks
/// lines and indentation itself, with no separate token stream, and writes
/// the values it reads to a ``DocumentTape``.
///
/// Every `parse…` method of a block construct returns with the position at
/// the next content byte (after comments and blank lines) or at the end of
/// the input, so callers compare that content's indentation with their own.
struct YAMLParser {
    let input: YAMLInput
    let base: UnsafeBufferPointer<UInt8>
    let end: Int
    let limits: ParseLimits
    /// Current byte offset.
    var pos = 0
    /// Current 1-based line number and the offset where that line starts.
    var line = 1
    var lineStart = 0
    /// Current nesting of collections.
    var depth = 0
    /// Where the last line holding content of a block node ends (its line
    /// break or the end of input): the end of a value for a splice.
    var lastContentEnd = 0
    /// The values read so far.
    var tape: DocumentTape
    /// The tape indices of the keys of the open mappings, innermost last,
    /// for duplicate checks (32 bits each: a tape never has more words).
    var keyStack: [UInt32] = []
    /// When set, the entries of the root block mapping are recorded here,
    /// with the offset where each key starts and where its value ends.
    var topLevelEntries: [(key: String, keyStart: Int, valueEnd: Int)]? = nil

    init(input: YAMLInput, limits: ParseLimits) {
        self.input = input
        self.base = input.bytes
        self.end = input.bytes.count
        self.limits = limits
        self.tape = DocumentTape(inputBytes: input.bytes.count)
    }

    // MARK: Bytes

    /// The byte at `offset`, or 0 past the end (NUL never occurs in valid input).
    @inline(__always) func byte(_ offset: Int) -> UInt8 { offset < end ? base[offset] : 0 }
    @inline(__always) var current: UInt8 { byte(pos) }
    @inline(__always) var atEnd: Bool { pos >= end }
    /// Byte column of the current position (indentation is made of ASCII spaces).
    @inline(__always) var column: Int { pos - lineStart }

    @inline(__always) static func isBlank(_ byte: UInt8) -> Bool { byte == .space || byte == .tab }
    /// Space, tab, line break or end of input.
    @inline(__always) static func isBlankOrEnd(_ byte: UInt8) -> Bool {
        byte == .space || byte == .tab || byte == .newline || byte == 0
    }
    @inline(__always) static func isFlowIndicator(_ byte: UInt8) -> Bool {
        byte == .comma || byte == .openBracket || byte == .closeBracket || byte == .openBrace || byte == .closeBrace
    }

    // MARK: Positions and errors

    func location(at offset: Int) -> SourceLocation {
        if offset >= lineStart { return input.location(of: offset, line: line, lineStart: lineStart) }
        return input.location(of: offset)
    }

    var here: SourceLocation { location(at: pos) }

    func failure(_ code: CodecError.Code, _ message: String, at offset: Int? = nil) -> CodecError {
        CodecError(code, message, at: location(at: offset ?? pos))
    }

    /// A syntax error at `offset`, or at the current position.
    func failure(_ message: String, at offset: Int? = nil) -> CodecError {
        failure(.syntax, message, at: offset)
    }

    /// A printable description of the byte at the current position.
    var currentDescription: String {
        if atEnd { return "end of input" }
        if current == .newline { return "end of line" }
        var length = 1
        let lead = current
        if lead >= 0xF0 { length = 4 } else if lead >= 0xE0 { length = 3 } else if lead >= 0xC0 { length = 2 }
        let slice = UnsafeBufferPointer(rebasing: base[pos..<min(end, pos + length)])
        return "'\(String(decoding: slice, as: UTF8.self))'"
    }

    mutating func enter(at offset: Int) throws {
        depth += 1
        if depth > limits.maxDepth {
            throw failure(
                .limitExceeded,
                "nesting is deeper than the limit of \(limits.maxDepth); raise ParseLimits.maxDepth if this is expected",
                at: offset
            )
        }
    }

    mutating func leave() { depth -= 1 }

    // MARK: Writing the tape

    /// Appends a string whose text is `text`, located at `offset`.
    mutating func appendString(_ text: PlainText, at offset: Int) {
        switch text {
        case .slice(let start, let end) where start == offset:
            tape.appendSlice(.string, at: offset, length: end - start, in: base)
        case .slice(let start, let end) where start == offset + 1:
            tape.appendSlice(.quotedString, at: offset, length: end - start)
        case .slice(let start, let end):
            tape.appendSide(.sideString, at: offset, text: UnsafeBufferPointer(rebasing: base[start..<end]))
        case .folded(let bytes):
            tape.appendSide(.sideString, at: offset, bytes: bytes)
        }
    }

    /// Appends a plain scalar, resolved with the YAML 1.2 core schema.
    mutating func appendPlain(_ text: PlainText, at offset: Int) {
        switch text {
        case .slice(let start, let end):
            let kind = Self.resolve(UnsafeBufferPointer(rebasing: base[start..<end]))
            switch kind {
            case .null, .false, .true: tape.appendLiteral(kind, at: offset)
            default: tape.appendSlice(kind, at: offset, length: end - start, in: base)
            }
        case .folded(let bytes):
            let kind = bytes.withUnsafeBufferPointer { Self.resolve($0) }
            switch kind {
            case .null, .false, .true: tape.appendLiteral(kind, at: offset)
            case .number: tape.appendSide(.sideNumber, at: offset, bytes: bytes)
            default: tape.appendSide(.sideString, at: offset, bytes: bytes)
            }
        }
    }

    /// Appends a mapping key; returns its tape index for ``checkDuplicate(_:mappingStart:)``.
    mutating func appendKey(_ text: PlainText, at offset: Int) -> Int {
        let index = tape.count
        appendString(text, at: offset)
        return index
    }

    /// Rejects the key at tape index `key` when the mapping whose keys start
    /// at `start` on `keyStack` already has it, then records it there and in
    /// the mapping's `index`. Keys are compared as Swift strings (canonical
    /// equivalence); a large mapping's keys are hashed, so each check costs
    /// the same however many keys came before.
    mutating func checkDuplicate(_ key: Int, mappingStart start: Int, index: inout MappingKeyIndex) throws {
        let first: Int? = tape.withView(text: base) { view in
            index.firstEqual(
                after: keyStack.count - start,
                newKey: { view.string(key) },
                keyAt: { view.string(Int(keyStack[start + $0])) },
                isEqual: { view.sameText(Int(keyStack[start + $0]), key) }
            ).map { Int(keyStack[start + $0]) }
        }
        if let first {
            let firstLine = TapeLocator.yaml(input).location(of: tape.withView(text: base) { $0.offset(first) }).line
            let name = tape.withView(text: base) { $0.string(key) }
            throw CodecError(
                .duplicateKey,
                "duplicate key '\(name)' (first defined on line \(firstLine)); a key may appear only once in a mapping",
                at: location(at: tape.withView(text: base) { $0.offset(key) })
            )
        }
        keyStack.append(UInt32(truncatingIfNeeded: key))
    }

    // MARK: Lines, whitespace and comments

    /// Moves past the line break at the current position.
    @inline(__always) mutating func consumeNewline() {
        pos += 1
        line += 1
        lineStart = pos
    }

    /// Skips spaces and tabs on the current line.
    @inline(__always) mutating func skipBlanks() {
        while pos < end, base[pos] == .space || base[pos] == .tab { pos += 1 }
    }

    /// The offset of the line break (or end of input) that ends the current line.
    var currentLineEnd: Int {
        var index = pos
        while index < end, base[index] != .newline { index += 1 }
        return index
    }

    /// Skips to the end of the line (not past the line break).
    @inline(__always) mutating func skipToLineEnd() {
        while pos < end, base[pos] != .newline { pos += 1 }
    }

    /// Whether a `---` or `...` marker starts at the current position, which
    /// must be at the start of a line.
    func atDocumentMarker(_ offset: Int) -> Bool {
        guard offset + 2 < end || offset + 3 == end else { return false }
        let first = byte(offset)
        guard first == .minus || first == .dot else { return false }
        return byte(offset + 1) == first && byte(offset + 2) == first && Self.isBlankOrEnd(byte(offset + 3))
    }

    /// Skips blanks, a comment, line breaks, blank lines and comment lines,
    /// stopping at the next content byte or the end of input. A comment met
    /// on the current line must be preceded by whitespace or start the line.
    mutating func skipToContent() {
        while pos < end {
            let byte = base[pos]
            if byte == .space || byte == .tab {
                pos += 1
            } else if byte == .newline {
                consumeNewline()
            } else if byte == .hash {
                skipToLineEnd()
            } else {
                return
            }
        }
    }

    /// The number of spaces that start the current line.
    var lineIndent: Int {
        var index = lineStart
        while index < end, base[index] == .space { index += 1 }
        return index - lineStart
    }

    /// Whether the whitespace before the current position on this line holds a tab.
    var tabBeforeContent: Bool {
        var index = lineStart
        while index < pos {
            if base[index] == .tab { return true }
            index += 1
        }
        return false
    }

    /// After a node on the current line: allows trailing blanks and a
    /// comment, requires the end of the line, then skips to the next content.
    mutating func finishLine(after what: String) throws {
        skipBlanks()
        if current == .hash {
            guard pos == lineStart || Self.isBlank(base[pos - 1]) else {
                throw failure("a comment must be separated from \(what) by a space")
            }
            skipToLineEnd()
        }
        guard atEnd || current == .newline else {
            throw failure("unexpected \(currentDescription) after \(what); expected the end of the line")
        }
        lastContentEnd = pos
        skipToContent()
    }

    // MARK: Stream and documents

    /// Parses every document of the stream onto ``tape``, a root each.
    mutating func parseStream() throws {
        skipToContent()
        while !atEnd {
            guard tape.roots.count < limits.maxDocuments else {
                throw failure(.limitExceeded, "more than \(limits.maxDocuments) documents in one stream")
            }
            if column == 0 && current == .percent {
                throw failure(
                    .unsupported,
                    "YAML directives (%YAML, %TAG) are not supported; remove the directive line"
                )
            }
            if column == 0 && current == .dot && atDocumentMarker(pos) {
                // A document end marker with no open document.
                pos += 3
                try finishLine(after: "the document end marker '...'")
                continue
            }
            tape.beginDocument()
            try parseDocument()
        }
    }

    /// Parses one document, starting at its `---` marker or its first content.
    mutating func parseDocument() throws {
        let start = pos
        if column == 0 && current == .minus && atDocumentMarker(pos) {
            pos += 3
            skipBlanks()
            if atEnd || current == .newline || current == .hash {
                if current == .hash && base[pos - 1] != .space && base[pos - 1] != .tab {
                    throw failure("a comment must be separated from '---' by a space")
                }
                skipToContent()
                if atEnd || (column == 0 && atDocumentMarker(pos)) {
                    tape.appendLiteral(.null, at: start)
                } else {
                    try parseBlockNode(parentIndent: -1, allowsCollections: true)
                }
            } else {
                // Content on the marker line: a scalar, a flow collection or a
                // block scalar, never a block collection.
                try parseBlockNode(parentIndent: -1, allowsCollections: false)
            }
        } else {
            try parseBlockNode(parentIndent: -1, allowsCollections: true)
        }
        guard atEnd || (column == 0 && atDocumentMarker(pos)) else {
            throw failure("unexpected \(currentDescription); a document holds one node (use '---' to start another document)")
        }
        if !atEnd && current == .dot {
            pos += 3
            try finishLine(after: "the document end marker '...'")
        }
    }
}

