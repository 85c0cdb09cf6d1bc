extension YAMLParser {
    // MARK: Plain scalars

    /// The text of a plain scalar, as a slice of the input when it is one line.
    enum PlainText {
        case slice(Int, Int)
        case folded([UInt8])

        func string(in base: UnsafeBufferPointer<UInt8>) -> String {
            switch self {
            case .slice(let start, let end): String(decoding: UnsafeBufferPointer(rebasing: base[start..<end]), as: UTF8.self)
            case .folded(let bytes): String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    /// Scans a plain scalar, folding continuation lines indented more than
    /// `parentIndent`. Leaves the position at the byte that ended it on its
    /// last line: a line break, ':', '#', a flow indicator or the end of input.
    mutating func scanPlain(parentIndent: Int, inFlow: Bool) throws -> PlainText {
        var folded: [UInt8]? = nil
        var segmentStart = pos
        while true {
            // One line of the scalar.
            var index = pos
            while index < end {
                let byte = base[index]
                if byte == .newline { break }
                if byte == .colon {
                    let next = self.byte(index + 1)
                    if Self.isBlankOrEnd(next) || (inFlow && Self.isFlowIndicator(next)) { break }
                } else if byte == .hash {
                    if index > segmentStart && Self.isBlank(base[index - 1]) { break }
                } else if inFlow && Self.isFlowIndicator(byte) {
                    break
                }
                index += 1
            }
            var contentEnd = index
            while contentEnd > segmentStart && Self.isBlank(base[contentEnd - 1]) { contentEnd -= 1 }
            pos = index
            guard current == .newline, let next = continuation(parentIndent: parentIndent, inFlow: inFlow) else {
                if var folded {
                    folded.append(contentsOf: UnsafeBufferPointer(rebasing: base[segmentStart..<contentEnd]))
                    return .folded(folded)
                }
                return .slice(segmentStart, contentEnd)
            }
            if folded == nil { folded = [] }
            folded!.append(contentsOf: UnsafeBufferPointer(rebasing: base[segmentStart..<contentEnd]))
            if next.emptyLines == 0 {
                folded!.append(.space)
            } else {
                folded!.append(contentsOf: repeatElement(UInt8.newline, count: next.emptyLines))
            }
            for _ in 0...next.emptyLines {
                skipToLineEnd()
                consumeNewline()
            }
            pos = next.contentOffset
            segmentStart = pos
        }
    }

    /// Looks past the line break at the current position for a line that
    /// continues a plain scalar; returns where its content starts and how
    /// many empty lines come before it.
    private func continuation(parentIndent: Int, inFlow: Bool) -> (contentOffset: Int, emptyLines: Int)? {
        var index = pos
        var emptyLines = 0
        while index < end && base[index] == .newline {
            let lineStart = index + 1
            var cursor = lineStart
            while cursor < end && base[cursor] == .space { cursor += 1 }
            let spaces = cursor - lineStart
            while cursor < end && Self.isBlank(base[cursor]) { cursor += 1 }
            guard cursor < end else { return nil }
            let byte = base[cursor]
            if byte == .newline {
                emptyLines += 1
                index = cursor
                continue
            }
            if spaces <= parentIndent { return nil }
            if spaces == 0 && atDocumentMarker(lineStart) { return nil }
            if byte == .hash { return nil }
            if byte == .colon && (Self.isBlankOrEnd(self.byte(cursor + 1)) || inFlow) { return nil }
            if inFlow && Self.isFlowIndicator(byte) { return nil }
            return (cursor, emptyLines)
        }
        return nil
    }

    /// Resolves plain scalar text with the YAML 1.2 core schema: the kind
    /// of value it is (null, false, true, number or string).
    static func resolve(_ text: UnsafeBufferPointer<UInt8>) -> DocumentTape.Kind {
        guard let first = text.first else { return .null }
        switch first {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"):
            if equals(text, "null") || equals(text, "Null") || equals(text, "NULL") || equals(text, "~") {
                return .null
            }
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if equals(text, "true") || equals(text, "True") || equals(text, "TRUE") { return .true }
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if equals(text, "false") || equals(text, "False") || equals(text, "FALSE") { return .false }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), .minus, .plus, .dot:
            if Node.Number.isCoreNumber(text) { return .number }
        default:
            break
        }
        return .string
    }

    @inline(__always)
    private static func equals(_ text: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard text.count == literal.utf8CodeUnitCount else { return false }
        let bytes = literal.utf8Start
        for index in 0..<text.count where text[index] != bytes[index] { return false }
        return true
    }

    // MARK: Quoted scalars

    /// Parses a single- or double-quoted scalar starting at the current
    /// quote and leaves the position after the closing quote. The text is a
    /// slice of the input when it is one line without escapes.
    mutating func parseQuoted(parentIndent: Int, inFlow: Bool) throws -> PlainText {
        let quote = current
        let opening = pos
        pos += 1
        let contentStart = pos
        // Fast path: one line, no escapes.
        var index = pos
        while index < end {
            let byte = base[index]
            if byte == quote || byte == .newline || (byte == .backslash && quote == .doubleQuote) { break }
            index += 1
        }
        if index < end && base[index] == quote && !(quote == .singleQuote && byte(index + 1) == .singleQuote) {
            pos = index + 1
            return .slice(contentStart, index)
        }
        let startLocation = location(at: opening)
        var result = [UInt8]()
        result.append(contentsOf: UnsafeBufferPointer(rebasing: base[contentStart..<index]))
        pos = index
        // Whitespace before this count was escaped and is kept at a line fold.
        var keep = 0
        while true {
            guard pos < end else {
                throw CodecError(
                    .syntax,
                    "unterminated quoted scalar; add the closing \(quote == .doubleQuote ? "\"" : "'")",
                    at: startLocation
                )
            }
            let byte = base[pos]
            if byte == quote {
                if quote == .singleQuote && self.byte(pos + 1) == .singleQuote {
                    result.append(.singleQuote)
                    pos += 2
                    keep = result.count
                    continue
                }
                pos += 1
                return .folded(result)
            }
            if byte == .newline {
                while result.count > keep, let last = result.last, Self.isBlank(last) { result.removeLast() }
                let emptyLines = try foldQuotedLines(parentIndent: parentIndent, inFlow: inFlow, start: startLocation)
                if emptyLines == 0 {
                    result.append(.space)
                } else {
                    result.append(contentsOf: repeatElement(UInt8.newline, count: emptyLines))
                }
                continue
            }
            if byte == .backslash && quote == .doubleQuote {
                if self.byte(pos + 1) == .newline {
                    // An escaped line break: joins the lines, keeping what
                    // precedes it; empty lines after it still give line feeds.
                    pos += 1
                    let emptyLines = try foldQuotedLines(
                        parentIndent: parentIndent,
                        inFlow: inFlow,
                        start: startLocation
                    )
                    result.append(contentsOf: repeatElement(UInt8.newline, count: emptyLines))
                    keep = result.count
                    continue
                }
                try appendEscape(to: &result)
                keep = result.count
                continue
            }
            result.append(byte)
            pos += 1
        }
    }

    /// At a line break inside a quoted scalar: moves to the first content
    /// of the next non-empty line and returns how many empty lines were crossed.
    private mutating func foldQuotedLines(parentIndent: Int, inFlow: Bool, start: SourceLocation) throws -> Int {
        var emptyLines = -1
        while current == .newline {
            consumeNewline()
            emptyLines += 1
            let spaces = lineIndent
            if spaces == 0 && atDocumentMarker(pos) {
                throw CodecError(
                    .syntax,
                    "a document marker cannot appear inside a quoted scalar; close the quote first",
                    at: start
                )
            }
            skipBlanks()
            if current != .newline && !atEnd && spaces <= parentIndent {
                throw failure(
                    "the continuation line of a quoted scalar must be indented more than its parent (column \(parentIndent + 1))",
                    at: lineStart
                )
            }
            if current == .tab || (current != .newline && tabBeforeContent && spaces <= parentIndent) {
                throw failure("tabs cannot be used for indentation in YAML; indent with spaces")
            }
        }
        return emptyLines
    }

    /// Decodes the escape sequence at the current backslash.
    private mutating func appendEscape(to result: inout [UInt8]) throws {
        let escapeStart = pos
        pos += 1
        let code = current
        pos += 1
        func append(_ scalar: UInt32) { appendUTF8(scalar, to: &result) }
        switch code {
        case UInt8(ascii: "0"): append(0)
        case UInt8(ascii: "a"): append(0x07)
        case UInt8(ascii: "b"): append(0x08)
        case UInt8(ascii: "t"), .tab: append(0x09)
        case UInt8(ascii: "n"): append(0x0A)
        case UInt8(ascii: "v"): append(0x0B)
        case UInt8(ascii: "f"): append(0x0C)
        case UInt8(ascii: "r"): append(0x0D)
        case UInt8(ascii: "e"): append(0x1B)
        case .space: append(0x20)
        case .doubleQuote: append(0x22)
        case UInt8(ascii: "/"): append(0x2F)
        case .backslash: append(0x5C)
        case UInt8(ascii: "N"): append(0x85)
        case UInt8(ascii: "_"): append(0xA0)
        case UInt8(ascii: "L"): append(0x2028)
        case UInt8(ascii: "P"): append(0x2029)
        case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = code == UInt8(ascii: "x") ? 2 : code == UInt8(ascii: "u") ? 4 : 8
            var scalar = try hexValue(digits: digits, escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(scalar) && code == UInt8(ascii: "u") && current == .backslash
                && byte(pos + 1) == UInt8(ascii: "u")
            {
                let save = pos
                pos += 2
                let low = try hexValue(digits: 4, escapeStart: save)
                if (0xDC00...0xDFFF).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    pos = save
                }
            }
            guard scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw failure("escape '\\\(Character(Unicode.Scalar(code)))' gives U+\(hex(scalar)), which is not a character", at: escapeStart)
            }
            append(scalar)
        default:
            throw failure(
                "invalid escape '\\\(atEnd ? "" : String(Character(Unicode.Scalar(code))))' in a double-quoted scalar; "
                    + "write '\\\\' for a backslash",
                at: escapeStart
            )
        }
    }

    private mutating func hexValue(digits: Int, escapeStart: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            let byte = current
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw failure("escape needs \(digits) hexadecimal digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            pos += 1
        }
        return value
    }
}
