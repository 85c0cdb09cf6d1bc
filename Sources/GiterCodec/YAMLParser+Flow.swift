extension YAMLParser {
    /// Parses a flow sequence or mapping starting at the current bracket and
    /// leaves the position after its closing bracket.
    mutating func parseFlowCollection(parentIndent: Int) throws -> Node {
        let opening = current
        let location = mark(pos)
        try enter(at: pos)
        defer { leave() }
        pos += 1
        if opening == .openBracket {
            let itemsStart = itemStack.count
            while true {
                try skipFlowWhitespace(parentIndent: parentIndent)
                if current == .closeBracket {
                    pos += 1
                    return Node(.sequence(popItems(from: itemsStart)), location: location)
                }
                if atEnd { throw unterminated("flow sequence", "]", location) }
                if current == .comma { throw failure("unexpected ','; expected a value or ']'") }
                itemStack.append(try parseFlowSequenceItem(parentIndent: parentIndent))
                try skipFlowWhitespace(parentIndent: parentIndent)
                if current == .comma {
                    pos += 1
                } else if current != .closeBracket {
                    if atEnd { throw unterminated("flow sequence", "]", location) }
                    throw failure("expected ',' or ']' in the flow sequence, found \(currentDescription)")
                }
            }
        }
        let entriesStart = entryStack.count
        while true {
            try skipFlowWhitespace(parentIndent: parentIndent)
            if current == .closeBrace {
                pos += 1
                return Node(.mapping(popEntries(from: entriesStart)), location: location)
            }
            if atEnd { throw unterminated("flow mapping", "}", location) }
            if current == .comma { throw failure("unexpected ','; expected a key or '}'") }
            let keyLocation = mark(pos)
            let (key, quoted) = try parseFlowKey(parentIndent: parentIndent)
            try skipFlowWhitespace(parentIndent: parentIndent)
            var value = Node(.null, location: keyLocation)
            if current == .colon && (quoted || Self.isBlankOrEnd(byte(pos + 1)) || Self.isFlowIndicator(byte(pos + 1))) {
                pos += 1
                try skipFlowWhitespace(parentIndent: parentIndent)
                if current != .comma && current != .closeBrace {
                    value = try parseFlowNode(parentIndent: parentIndent)
                }
            }
            try pushEntry(key, value, at: keyLocation, mappingStart: entriesStart)
            try skipFlowWhitespace(parentIndent: parentIndent)
            if current == .comma {
                pos += 1
            } else if current != .closeBrace {
                if atEnd { throw unterminated("flow mapping", "}", location) }
                throw failure("expected ',' or '}' in the flow mapping, found \(currentDescription)")
            }
        }
    }

    private func unterminated(_ what: String, _ closing: String, _ location: SourceLocation) -> CodecError {
        CodecError(.syntax, "unterminated \(what); add the closing '\(closing)'", at: location)
    }

    /// An item of a flow sequence: a node, or a single-pair mapping `key: value`.
    private mutating func parseFlowSequenceItem(parentIndent: Int) throws -> Node {
        let location = mark(pos)
        let startLine = line
        switch current {
        case .openBracket, .openBrace:
            let node = try parseFlowCollection(parentIndent: parentIndent)
            skipBlanks()
            if current == .colon {
                throw CodecError(
                    .unsupported,
                    "complex keys (a flow collection used as a mapping key) are not supported",
                    at: location
                )
            }
            return node
        case .doubleQuote, .singleQuote:
            let text = try parseQuoted(parentIndent: parentIndent, inFlow: true)
            skipBlanks()
            if current == .colon {
                guard line == startLine else {
                    throw CodecError(.syntax, "a mapping key must be on a single line", at: location)
                }
                return try parseSinglePair(key: text, location: location, parentIndent: parentIndent)
            }
            return Node(.string(text), location: location)
        default:
            try checkNodeStart(inFlow: true)
            let text = try scanPlain(parentIndent: parentIndent, inFlow: true)
            if current == .colon {
                guard line == startLine else {
                    throw CodecError(.syntax, "a mapping key must be on a single line", at: location)
                }
                return try parseSinglePair(key: text.string(in: base), location: location, parentIndent: parentIndent)
            }
            return Node(resolve(text), location: location)
        }
    }

    private mutating func parseSinglePair(key: String, location: SourceLocation, parentIndent: Int) throws -> Node {
        pos += 1  // the ':'
        try skipFlowWhitespace(parentIndent: parentIndent)
        var value = Node(.null, location: location)
        if current != .comma && current != .closeBracket {
            value = try parseFlowNode(parentIndent: parentIndent)
        }
        var mapping = Node.Mapping()
        mapping.entries.append(Node.Mapping.Entry(key: key, value: value, keyLocation: location))
        return Node(.mapping(mapping), location: location)
    }

    /// The key of a flow mapping entry, and whether it was quoted (a quoted
    /// key may be followed by ':' with no space, as in JSON).
    private mutating func parseFlowKey(parentIndent: Int) throws -> (String, Bool) {
        switch current {
        case .openBracket, .openBrace:
            throw failure(.unsupported, "complex keys (a flow collection used as a mapping key) are not supported")
        case .doubleQuote, .singleQuote:
            return (try parseQuoted(parentIndent: parentIndent, inFlow: true), true)
        default:
            try checkNodeStart(inFlow: true)
            return (try scanPlain(parentIndent: parentIndent, inFlow: true).string(in: base), false)
        }
    }

    /// A node inside a flow collection.
    mutating func parseFlowNode(parentIndent: Int) throws -> Node {
        let location = mark(pos)
        switch current {
        case .openBracket, .openBrace:
            return try parseFlowCollection(parentIndent: parentIndent)
        case .doubleQuote, .singleQuote:
            return Node(.string(try parseQuoted(parentIndent: parentIndent, inFlow: true)), location: location)
        default:
            try checkNodeStart(inFlow: true)
            let text = try scanPlain(parentIndent: parentIndent, inFlow: true)
            return Node(resolve(text), location: location)
        }
    }

    func resolve(_ text: PlainText) -> Node.Content {
        switch text {
        case .slice(let start, let end): Self.resolve(UnsafeBufferPointer(rebasing: base[start..<end]))
        case .folded(let bytes): bytes.withUnsafeBufferPointer { Self.resolve($0) }
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
