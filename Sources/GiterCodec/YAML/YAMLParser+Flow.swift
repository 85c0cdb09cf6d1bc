extension YAMLParser {
    /// Parses a flow sequence or mapping starting at the current bracket and
    /// leaves the position after its closing bracket.
    mutating func parseFlowCollection(parentIndent: Int) throws {
        let opening = current
        let start = pos
        try enter(at: pos)
        defer { leave() }
        pos += 1
        if opening == .openBracket {
            let head = tape.beginCollection(.sequence, at: start)
            while true {
                try skipFlowWhitespace(parentIndent: parentIndent)
                if current == .closeBracket {
                    pos += 1
                    tape.endCollection(head)
                    return
                }
                if atEnd { throw unterminated("flow sequence", "]", start) }
                if current == .comma { throw failure("unexpected ','; expected a value or ']'") }
                try parseFlowSequenceItem(parentIndent: parentIndent)
                try skipFlowWhitespace(parentIndent: parentIndent)
                if current == .comma {
                    pos += 1
                } else if current != .closeBracket {
                    if atEnd { throw unterminated("flow sequence", "]", start) }
                    throw failure("expected ',' or ']' in the flow sequence, found \(currentDescription)")
                }
            }
        }
        let head = tape.beginCollection(.mapping, at: start)
        let keysStart = keyStack.count
        var keys = MappingKeyIndex()
        while true {
            try skipFlowWhitespace(parentIndent: parentIndent)
            if current == .closeBrace {
                pos += 1
                keyStack.removeSubrange(keysStart...)
                tape.endCollection(head)
                return
            }
            if atEnd { throw unterminated("flow mapping", "}", start) }
            if current == .comma { throw failure("unexpected ','; expected a key or '}'") }
            let keyStart = pos
            let (key, quoted) = try parseFlowKey(parentIndent: parentIndent)
            let keyHead = appendKey(key, at: keyStart)
            try skipFlowWhitespace(parentIndent: parentIndent)
            var hasValue = false
            if current == .colon && (quoted || Self.isBlankOrEnd(byte(pos + 1)) || Self.isFlowIndicator(byte(pos + 1))) {
                pos += 1
                try skipFlowWhitespace(parentIndent: parentIndent)
                if current != .comma && current != .closeBrace {
                    try parseFlowNode(parentIndent: parentIndent)
                    hasValue = true
                }
            }
            if !hasValue { tape.appendLiteral(.null, at: keyStart) }
            try checkDuplicate(keyHead, mappingStart: keysStart, index: &keys)
            try skipFlowWhitespace(parentIndent: parentIndent)
            if current == .comma {
                pos += 1
            } else if current != .closeBrace {
                if atEnd { throw unterminated("flow mapping", "}", start) }
                throw failure("expected ',' or '}' in the flow mapping, found \(currentDescription)")
            }
        }
    }

    private func unterminated(_ what: String, _ closing: String, _ offset: Int) -> CodecError {
        failure("unterminated \(what); add the closing '\(closing)'", at: offset)
    }

    /// An item of a flow sequence: a node, or a single-pair mapping `key: value`.
    private mutating func parseFlowSequenceItem(parentIndent: Int) throws {
        let start = pos
        let startLine = line
        switch current {
        case .openBracket, .openBrace:
            try parseFlowCollection(parentIndent: parentIndent)
            skipBlanks()
            if current == .colon {
                throw failure(
                    .unsupported,
                    "complex keys (a flow collection used as a mapping key) are not supported",
                    at: start
                )
            }
        case .doubleQuote, .singleQuote:
            let text = try parseQuoted(parentIndent: parentIndent, inFlow: true)
            skipBlanks()
            if current == .colon {
                guard line == startLine else { throw failure("a mapping key must be on a single line", at: start) }
                try parseSinglePair(key: text, at: start, parentIndent: parentIndent)
            } else {
                appendString(text, at: start)
            }
        default:
            try checkNodeStart(inFlow: true)
            let text = try scanPlain(parentIndent: parentIndent, inFlow: true)
            if current == .colon {
                guard line == startLine else { throw failure("a mapping key must be on a single line", at: start) }
                try parseSinglePair(key: text, at: start, parentIndent: parentIndent)
            } else {
                appendPlain(text, at: start)
            }
        }
    }

    /// A single-pair mapping `key: value` in a flow sequence, located at its key.
    private mutating func parseSinglePair(key: PlainText, at start: Int, parentIndent: Int) throws {
        pos += 1  // the ':'
        let head = tape.beginCollection(.mapping, at: start)
        appendString(key, at: start)
        try skipFlowWhitespace(parentIndent: parentIndent)
        if current != .comma && current != .closeBracket {
            try parseFlowNode(parentIndent: parentIndent)
        } else {
            tape.appendLiteral(.null, at: start)
        }
        tape.endCollection(head)
    }

    /// The key of a flow mapping entry, and whether it was quoted (a quoted
    /// key may be followed by ':' with no space, as in JSON).
    private mutating func parseFlowKey(parentIndent: Int) throws -> (PlainText, Bool) {
        switch current {
        case .openBracket, .openBrace:
            throw failure(.unsupported, "complex keys (a flow collection used as a mapping key) are not supported")
        case .doubleQuote, .singleQuote:
            return (try parseQuoted(parentIndent: parentIndent, inFlow: true), true)
        default:
            try checkNodeStart(inFlow: true)
            return (try scanPlain(parentIndent: parentIndent, inFlow: true), false)
        }
    }

    /// A node inside a flow collection.
    mutating func parseFlowNode(parentIndent: Int) throws {
        let start = pos
        switch current {
        case .openBracket, .openBrace:
            try parseFlowCollection(parentIndent: parentIndent)
        case .doubleQuote, .singleQuote:
            appendString(try parseQuoted(parentIndent: parentIndent, inFlow: true), at: start)
        default:
            try checkNodeStart(inFlow: true)
            appendPlain(try scanPlain(parentIndent: parentIndent, inFlow: true), at: start)
        }
    }

    /// Skips whitespace, comments and line breaks inside a flow collection,
    /// checking that continuation lines are indented past the parent block.
    mutating func skipFlowWhitespace(parentIndent: Int) throws {
        while pos < end {
            let byte = base[pos]
            if byte == .space || byte == .tab {
                pos += 1
            } else if byte == .newline {
                consumeNewline()
                let spaces = lineIndent
                if spaces == 0 && atDocumentMarker(pos) {
                    throw failure("a document marker cannot appear inside a flow collection; close the collection first")
                }
                var cursor = pos + spaces
                while cursor < end && Self.isBlank(base[cursor]) { cursor += 1 }
                let blankLine = cursor >= end || base[cursor] == .newline || base[cursor] == .hash
                if !blankLine && spaces <= parentIndent {
                    throw failure(
                        "a line inside a flow collection must be indented more than its parent (column \(parentIndent + 1))",
                        at: pos + spaces
                    )
                }
            } else if byte == .hash {
                guard pos == lineStart || Self.isBlank(base[pos - 1]) else {
                    throw failure("a comment must be separated from the value before it by a space")
                }
                skipToLineEnd()
            } else {
                return
            }
        }
    }
}
