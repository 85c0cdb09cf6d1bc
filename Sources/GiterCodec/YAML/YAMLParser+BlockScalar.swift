extension YAMLParser {
    /// Parses a literal (`|`) or folded (`>`) block scalar whose indicator
    /// is at the current position, then skips to the next content.
    mutating func parseBlockScalar(parentIndent: Int, location: Int) throws {
        let literal = current == .pipe
        pos += 1
        // Header: chomping and indentation indicators in either order.
        var chomping = 0  // -1 strip, 0 clip, +1 keep
        var explicitIndent: Int? = nil
        var sawChomping = false
        for _ in 0..<2 {
            if (current == .minus || current == .plus) && !sawChomping {
                chomping = current == .minus ? -1 : 1
                sawChomping = true
                pos += 1
            } else if current >= UInt8(ascii: "1") && current <= UInt8(ascii: "9") && explicitIndent == nil {
                explicitIndent = Int(current - UInt8(ascii: "0"))
                pos += 1
            } else if current == UInt8(ascii: "0") {
                throw failure("a block scalar indentation indicator must be between 1 and 9")
            }
        }
        let headerEnd = pos
        skipBlanks()
        if current == .hash {
            guard pos > headerEnd else { throw failure("a comment must be separated from the block scalar header by a space") }
            skipToLineEnd()
        }
        guard atEnd || current == .newline else {
            throw failure("unexpected \(currentDescription) after the block scalar header; the content starts on the next line")
        }
        lastContentEnd = pos
        if atEnd {
            tape.appendSide(.sideString, at: location, bytes: [])
            return
        }
        consumeNewline()

        let contentIndent: Int
        let indentBase = max(parentIndent, 0)
        if let explicitIndent {
            contentIndent = indentBase + explicitIndent
        } else {
            contentIndent = try detectIndentation(parentIndent: parentIndent)
        }

        // Collect the lines: (start, end) of the text after the indentation,
        // with end < start marking an empty line.
        var lines: [(start: Int, end: Int)] = []
        // The end of the input ends the last line as a line break would.
        let lastLineHasBreak = true
        while !atEnd {
            var index = lineStart
            while index < end && self.base[index] == .space && index - lineStart < contentIndent { index += 1 }
            let spaces = index - lineStart
            var lineEnd = index
            while lineEnd < end && self.base[lineEnd] != .newline { lineEnd += 1 }
            if spaces < contentIndent {
                // Fewer spaces than the content: an empty line if only
                // spaces follow, otherwise the end of the scalar.
                var cursor = index
                while cursor < lineEnd && self.base[cursor] == .space { cursor += 1 }
                if cursor < lineEnd {
                    var rest = cursor
                    while rest < lineEnd && Self.isBlank(self.base[rest]) { rest += 1 }
                    if rest == lineEnd {
                        throw failure("tabs cannot be used for indentation in YAML; indent with spaces", at: cursor)
                    }
                    break
                }
                lines.append((index, index - 1))
            } else {
                if contentIndent == 0 && atDocumentMarker(lineStart) { break }
                lines.append((index, lineEnd))
                if lineEnd > index { lastContentEnd = lineEnd }
            }
            if chomping == 1 { lastContentEnd = lineEnd }
            pos = lineEnd
            if atEnd { break }
            consumeNewline()
        }
        // Written straight into the tape's side text: a buffer of its own
        // would hold the scalar twice while it is copied there.
        let base = base
        tape.appendSide(.sideString, at: location) { side in
            Self.assembleBlockScalar(
                of: base,
                lines: lines,
                literal: literal,
                chomping: chomping,
                lastLineHasBreak: lastLineHasBreak,
                into: &side
            )
        }
        pos = max(pos, lineStart)
        if !atEnd && pos == lineStart { skipToContent() }
    }

    /// Finds the indentation of a block scalar's content from its first
    /// non-empty line, rejecting leading empty lines indented deeper.
    private func detectIndentation(parentIndent: Int) throws -> Int {
        var index = lineStart
        var maxEmpty = 0
        var emptyLineStart = lineStart
        while index < end {
            let start = index
            while index < end && base[index] == .space { index += 1 }
            let spaces = index - start
            if index >= end || base[index] == .newline {
                if spaces > maxEmpty {
                    maxEmpty = spaces
                    emptyLineStart = start
                }
                index += 1
                continue
            }
            let indent = spaces
            if indent <= parentIndent { return parentIndent + 1 }
            if maxEmpty > indent {
                throw failure(
                    "a leading empty line of the block scalar has more spaces than its first line; "
                        + "remove them or add an indentation indicator",
                    at: emptyLineStart
                )
            }
            return indent
        }
        return max(parentIndent + 1, maxEmpty)
    }

    /// Appends the text of the block scalar made of `lines` of `base` to `out`.
    private static func assembleBlockScalar(
        of base: UnsafeBufferPointer<UInt8>,
        lines: [(start: Int, end: Int)],
        literal: Bool,
        chomping: Int,
        lastLineHasBreak: Bool,
        into out: inout [UInt8]
    ) {
        func isEmpty(_ line: (start: Int, end: Int)) -> Bool { line.end <= line.start }
        guard let last = lines.lastIndex(where: { !isEmpty($0) }) else {
            guard chomping == 1 else { return }
            let breaks = lines.count - (lastLineHasBreak ? 0 : 1)
            out.append(contentsOf: repeatElement(UInt8.newline, count: max(0, breaks)))
            return
        }
        // Room for the content of the lines and at most one break or space
        // for each line and one more for the chomping, reserved at once: an
        // array that grows while it is written holds each smaller copy
        // until it is freed (issue 12, Documentation/Performance.md). The
        // capacity at least doubles, so many scalars cost linear time.
        var content = 0
        for line in lines where !isEmpty(line) { content += line.end - line.start }
        let needed = out.count + content + lines.count + 1
        if out.capacity < needed { out.reserveCapacity(max(needed, 2 * out.capacity)) }
        func append(_ line: (start: Int, end: Int)) {
            if !isEmpty(line) { out.append(contentsOf: UnsafeBufferPointer(rebasing: base[line.start..<line.end])) }
        }
        func moreIndented(_ line: (start: Int, end: Int)) -> Bool {
            !isEmpty(line) && line.end > line.start && (base[line.start] == .space || base[line.start] == .tab)
        }
        if literal {
            for index in 0...last {
                if index > 0 { out.append(.newline) }
                append(lines[index])
            }
        } else {
            var index = 0
            while isEmpty(lines[index]) {
                out.append(.newline)
                index += 1
            }
            append(lines[index])
            var previous = index
            index += 1
            while index <= last {
                var next = index
                while isEmpty(lines[next]) { next += 1 }
                let empties = next - index
                if moreIndented(lines[previous]) || moreIndented(lines[next]) {
                    out.append(contentsOf: repeatElement(UInt8.newline, count: empties + 1))
                } else if empties == 0 {
                    out.append(.space)
                } else {
                    out.append(contentsOf: repeatElement(UInt8.newline, count: empties))
                }
                append(lines[next])
                previous = next
                index = next + 1
            }
        }
        let contentEndsWithBreak = last < lines.count - 1 || lastLineHasBreak
        switch chomping {
        case -1:
            break
        case 0:
            if contentEndsWithBreak { out.append(.newline) }
        default:
            if contentEndsWithBreak { out.append(.newline) }
            let trailing = lines.count - 1 - last - (lastLineHasBreak ? 0 : 1)
            if trailing > 0 { out.append(contentsOf: repeatElement(UInt8.newline, count: trailing)) }
        }
    }
}
