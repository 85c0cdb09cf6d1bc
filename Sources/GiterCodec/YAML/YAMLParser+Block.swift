extension YAMLParser {
    /// Parses the node that starts at the current content byte.
    ///
    /// - Parameters:
    ///   - parentIndent: the indentation of the enclosing block collection,
    ///     -1 at the document root. Continuation lines of the node must be
    ///     indented more than this.
    ///   - allowsCollections: whether a block mapping or sequence may start
    ///     here. It may not on the line of its key (`a: b: c`) or of `---`.
    mutating func parseBlockNode(parentIndent: Int, allowsCollections: Bool) throws {
        let start = pos
        let indent = column
        let next = byte(pos + 1)
        switch current {
        case .minus where Self.isBlankOrEnd(next):
            guard allowsCollections else {
                throw failure("a block sequence cannot start on this line; start it on a new line")
            }
            try checkIndentationTabs()
            try parseBlockSequence(indent: indent, location: start)
        case .pipe, .greaterThan:
            try parseBlockScalar(parentIndent: parentIndent, location: start)
        case .openBracket, .openBrace:
            try parseFlowCollection(parentIndent: parentIndent)
            skipBlanks()
            if current == .colon && Self.isBlankOrEnd(byte(pos + 1)) {
                throw CodecError(
                    .unsupported,
                    "complex keys (a flow collection used as a mapping key) are not supported; use a scalar key",
                    at: location(at: start)
                )
            }
            try finishLine(after: "the flow collection")
        case .doubleQuote, .singleQuote:
            let startLine = line
            let text = try parseQuoted(parentIndent: parentIndent, inFlow: false)
            skipBlanks()
            if current == .colon && Self.isBlankOrEnd(byte(pos + 1)) {
                guard line == startLine else {
                    throw CodecError(.syntax, "a mapping key must be on a single line", at: location(at: start))
                }
                guard allowsCollections else { throw nestedMappingError(at: location(at: start)) }
                try checkIndentationTabs(at: start)
                try parseBlockMapping(indent: indent, firstKey: text, keyOffset: start)
                return
            }
            try finishLine(after: "the quoted scalar")
            appendString(text, at: start)
        default:
            try checkNodeStart(inFlow: false)
            let startLine = line
            let text = try scanPlain(parentIndent: parentIndent, inFlow: false)
            if current == .colon {
                // A plain scalar that stops at ': ' on its first line is a key.
                guard line == startLine, case .slice = text else {
                    throw failure(
                        "unexpected ': ' in a multi-line plain scalar; quote the value, or check the indentation of this key"
                    )
                }
                guard allowsCollections else { throw nestedMappingError(at: location(at: start)) }
                try checkIndentationTabs(at: start)
                try parseBlockMapping(indent: indent, firstKey: text, keyOffset: start)
                return
            }
            try finishLine(after: "the value")
            appendPlain(text, at: start)
        }
    }

    private func nestedMappingError(at location: SourceLocation) -> CodecError {
        CodecError(
            .syntax,
            "a mapping cannot start on the same line as its parent key or '---'; put it on a new, indented line",
            at: location
        )
    }

    /// Rejects tabs in the indentation before a block collection starts.
    mutating func checkIndentationTabs(at offset: Int? = nil) throws {
        let target = offset ?? pos
        var index = lineStart
        while index < target {
            if base[index] == .tab {
                throw failure("tabs cannot be used for indentation in YAML; indent with spaces", at: index)
            }
            index += 1
        }
    }

    /// Rejects the indicators that cannot start a node in Giter's subset.
    func checkNodeStart(inFlow: Bool) throws {
        let next = byte(pos + 1)
        switch current {
        case .ampersand:
            throw failure(.unsupported, "anchors ('&name') are not supported; repeat the value instead")
        case .asterisk:
            throw failure(.unsupported, "aliases ('*name') are not supported; repeat the value instead")
        case .exclamation:
            throw failure(.unsupported, "tags ('!tag') are not supported; remove the tag and quote the value if needed")
        case .question where Self.isBlankOrEnd(next) || (inFlow && Self.isFlowIndicator(next)):
            throw failure(.unsupported, "explicit keys ('? key') are not supported; write 'key: value'")
        case .colon where Self.isBlankOrEnd(next) || (inFlow && Self.isFlowIndicator(next)):
            throw failure(.unsupported, "empty keys are not supported; write a key before ':'")
        case .at, .backtick:
            throw failure("'\(Character(Unicode.Scalar(current)))' is reserved and cannot start a plain scalar; quote the value")
        case .percent:
            throw failure("'%' cannot start a plain scalar; quote the value")
        case .hash:
            throw failure("expected a value, found a comment")
        case .comma, .closeBracket, .closeBrace:
            throw failure("unexpected \(currentDescription); quote the value if it starts with this character")
        case .minus where Self.isBlankOrEnd(next):
            throw failure("a block sequence entry ('- ') is not allowed here")
        case .minus where inFlow && Self.isFlowIndicator(next):
            throw failure("'-' cannot stand alone inside a flow collection; quote it")
        case .pipe, .greaterThan:
            throw failure("a block scalar ('|' or '>') is not allowed here")
        case .doubleQuote, .singleQuote, .openBracket, .openBrace, .newline:
            throw failure("unexpected \(currentDescription)")
        default:
            if atEnd { throw failure("unexpected end of input; expected a value") }
        }
    }

    /// Parses the key of a block mapping entry at the current position and
    /// leaves the position at the ':' that follows it.
    mutating func parseBlockKey() throws -> PlainText {
        let start = pos
        switch current {
        case .doubleQuote, .singleQuote:
            let startLine = line
            let key = try parseQuoted(parentIndent: -1, inFlow: false)
            skipBlanks()
            guard line == startLine else { throw failure("a mapping key must be on a single line", at: start) }
            guard current == .colon && Self.isBlankOrEnd(byte(pos + 1)) else {
                throw failure("expected ':' and a space after the key")
            }
            return key
        case .openBracket, .openBrace:
            throw failure(.unsupported, "complex keys (a flow collection used as a mapping key) are not supported")
        case .minus where Self.isBlankOrEnd(byte(pos + 1)):
            throw failure("a sequence entry ('- ') cannot appear among the keys of a mapping; check the indentation")
        default:
            try checkNodeStart(inFlow: false)
            // A key is one line: no continuation lines are allowed.
            let text = try scanPlain(parentIndent: Int.max, inFlow: false)
            guard current == .colon, case .slice = text else {
                throw failure(
                    "expected 'key: value' at this indentation; no ':' followed by a space was found on this line",
                    at: start
                )
            }
            return text
        }
    }

    /// Parses a block mapping whose first key has been read; the position
    /// is at the ':' after that key.
    mutating func parseBlockMapping(indent: Int, firstKey: PlainText, keyOffset: Int) throws {
        try enter(at: keyOffset)
        defer { leave() }
        let head = tape.beginCollection(.mapping, at: keyOffset)
        let keysStart = keyStack.count
        var keys = MappingKeyIndex()
        var key = firstKey
        var keyStart = keyOffset
        while true {
            pos += 1  // the ':'
            let keyHead = appendKey(key, at: keyStart)
            try parseMappingValue(indent: indent)
            if depth == 1 && topLevelEntries != nil {
                topLevelEntries?.append((key.string(in: base), keyStart, lastContentEnd))
            }
            try checkDuplicate(keyHead, mappingStart: keysStart, index: &keys)
            if atEnd || column < indent || (column == 0 && atDocumentMarker(pos)) { break }
            if column > indent {
                throw failure("unexpected indentation; a mapping entry here must start in column \(indent + 1)")
            }
            try checkIndentationTabs()
            keyStart = pos
            key = try parseBlockKey()
        }
        keyStack.removeSubrange(keysStart...)
        tape.endCollection(head)
    }

    /// Parses the value after a block mapping key's ':'.
    private mutating func parseMappingValue(indent: Int) throws {
        let colon = pos - 1
        skipBlanks()
        if !(atEnd || current == .newline || current == .hash) {
            try parseBlockNode(parentIndent: indent, allowsCollections: false)
            return
        }
        lastContentEnd = currentLineEnd
        skipToContent()
        if atEnd || (column == 0 && atDocumentMarker(pos)) {
            tape.appendLiteral(.null, at: colon)
        } else if column > indent {
            try parseBlockNode(parentIndent: indent, allowsCollections: true)
        } else if column == indent && current == .minus && Self.isBlankOrEnd(byte(pos + 1)) {
            // A sequence at the indentation of its key, as kubectl writes it.
            try checkIndentationTabs()
            try parseBlockSequence(indent: indent, location: pos)
        } else {
            tape.appendLiteral(.null, at: colon)
        }
    }

    /// Parses a block sequence whose first '-' is at the current position.
    mutating func parseBlockSequence(indent: Int, location: Int) throws {
        try enter(at: pos)
        defer { leave() }
        let head = tape.beginCollection(.sequence, at: location)
        while true {
            let dash = pos
            pos += 1
            skipBlanks()
            if atEnd || current == .newline || current == .hash {
                lastContentEnd = currentLineEnd
                skipToContent()
                if !atEnd && column > indent && !(column == 0 && atDocumentMarker(pos)) {
                    try parseBlockNode(parentIndent: indent, allowsCollections: true)
                } else {
                    tape.appendLiteral(.null, at: dash)
                }
            } else {
                try parseBlockNode(parentIndent: indent, allowsCollections: true)
            }
            if atEnd || column < indent || (column == 0 && atDocumentMarker(pos)) { break }
            if column > indent {
                throw failure("unexpected indentation; a sequence entry here must start in column \(indent + 1)")
            }
            guard current == .minus && Self.isBlankOrEnd(byte(pos + 1)) else { break }
            try checkIndentationTabs()
        }
        tape.endCollection(head)
    }
}
