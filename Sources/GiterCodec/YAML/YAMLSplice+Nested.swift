extension YAMLSplice {
    /// Returns `text` with the value of `key` inside the mapping of the
    /// top-level `parent` replaced by `value` (added when absent, removed
    /// when `value` is `nil`), every other byte left as it was: how the
    /// fields Giter maintains (`metadata.generation`, `metadata.uid`, …) go
    /// into a producer's own file.
    ///
    /// ```swift
    /// let text = "metadata:\n  name: a  # mine\nspec: {}\n"
    /// let updated = try YAMLSplice().replacingValue(
    ///     ofKey: "generation", inTopLevelKey: "metadata", in: text, with: 2)
    /// // "metadata:\n  name: a  # mine\n  generation: 2\nspec: {}\n"
    /// ```
    ///
    /// See the variant on UTF-8 bytes for what is kept and what is checked.
    public func replacingValue(
        ofKey key: String,
        inTopLevelKey parent: String,
        in text: String,
        with value: Node?
    ) throws -> String {
        let bytes = try replacingValue(ofKey: key, inTopLevelKey: parent, in: Array(text.utf8), with: value)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Returns UTF-8 `bytes` with the value of `key` inside the mapping of
    /// the top-level `parent` replaced by `value` (added after the parent's
    /// last entry when absent, removed when `value` is `nil`).
    ///
    /// When the parent's value is a block mapping on the lines after its key,
    /// only the entry of `key` changes: comments (on the parent's line too),
    /// order, quoting and the other entries stay byte for byte, and a new
    /// entry takes the indentation of the others. When it is anything else
    /// (a flow mapping such as `metadata: {name: a}`, or `null`) the
    /// parent's whole value is written anew, as a block mapping, with its
    /// other entries; when the parent is absent, it is added with `key`
    /// alone. A parent whose value is a scalar or a sequence is an error.
    ///
    /// As with the top-level splice, `replacingValue(ofTopLevelKey:in:with:)`,
    /// the result is read back before it is returned: the parent must read
    /// as it did with `key` changed, and every other top-level entry as it
    /// did; otherwise it throws and returns nothing.
    ///
    /// - Throws: ``CodecError`` when `bytes` is not a document whose root is
    ///   a block mapping, when the parent's value is not a mapping, or when
    ///   the result would not read as intended.
    public func replacingValue(
        ofKey key: String,
        inTopLevelKey parent: String,
        in bytes: [UInt8],
        with value: Node?
    ) throws -> [UInt8] {
        let layout = try bytes.withUnsafeBufferPointer {
            try YAMLTopLevelEntries(of: $0, limits: limits, values: [parent], digestExcluding: parent)
        }
        guard let entry = layout.entry(forKey: parent), let current = layout.values[parent] else {
            guard let value else { return bytes }
            var fields = Node.Mapping()
            fields[key] = value
            return try replacingValue(ofTopLevelKey: parent, in: bytes, with: .mapping(fields))
        }
        var expected: Node.Mapping
        switch current.content {
        case .mapping(let fields): expected = fields
        case .null: expected = Node.Mapping()
        default:
            throw CodecError(
                .invalidValue,
                "'\(parent)' is \(current.kindDescription), not a mapping; '\(parent).\(key)' cannot be written",
                at: current.location
            )
        }
        if expected[key] == value { return bytes }
        expected[key] = value
        guard case .mapping = current.content,
            let output = try spliceInPlace(key, value, entry: entry, parent: current, in: bytes, layout: layout)
        else {
            // Not a block mapping under its key: the parent's value is written anew.
            return try replacingValue(ofTopLevelKey: parent, in: bytes, with: .mapping(expected))
        }
        let check = try? output.withUnsafeBufferPointer {
            try YAMLTopLevelEntries(of: $0, limits: limits, values: [parent], digestExcluding: parent)
        }
        guard let check, check.digests == layout.digests, check.values[parent] == .mapping(expected) else {
            throw CodecError(
                .invalidValue,
                "splicing '\(parent).\(key)' would not give the intended document; the text was left unchanged"
            )
        }
        return output
    }

    /// The splice inside the parent's block mapping: its lines, taken out
    /// of their indentation, spliced as a document of their own and put
    /// back. `nil` when the parent's value is not a block mapping starting
    /// on a line after its key.
    private func spliceInPlace(
        _ key: String,
        _ value: Node?,
        entry: YAMLTopLevelEntries.Entry,
        parent: Node,
        in bytes: [UInt8],
        layout: YAMLTopLevelEntries
    ) throws -> [UInt8]? {
        // The value's lines start after the key's line.
        guard let keyLineEnd = bytes[entry.start..<entry.end].firstIndex(of: .newline) else { return nil }
        let valueStart = keyLineEnd + 1
        let block = Array(bytes[valueStart..<entry.end])
        // The indentation of the first line holding content, which must be the mapping's first key.
        var lines: [(start: Int, spaces: Int)] = []
        var indent: Int?
        var firstContentLine = 0
        var index = 0
        while index <= block.count {
            var spaces = 0
            while index + spaces < block.count && block[index + spaces] == .space { spaces += 1 }
            lines.append((index, spaces))
            let first = index + spaces < block.count ? block[index + spaces] : UInt8.newline
            if indent == nil && first != .newline && first != 0x0D && first != UInt8(ascii: "#") {
                indent = spaces
                firstContentLine = lines.count
            }
            guard let end = block[index...].firstIndex(of: .newline) else { break }
            index = end + 1
        }
        let keyLine = bytes[..<valueStart].reduce(0) { $0 + ($1 == .newline ? 1 : 0) }
        guard let indent, indent > 0, parent.location?.line == keyLine + firstContentLine else { return nil }
        // The block, each line taken out of (up to) the mapping's indentation.
        var dedented: [UInt8] = []
        dedented.reserveCapacity(block.count)
        var strippedAt: [Int: Int] = [:]
        for (number, line) in lines.enumerated() {
            let stripped = min(line.spaces, indent)
            strippedAt[dedented.count] = stripped
            let end = number + 1 < lines.count ? lines[number + 1].start : block.count
            dedented += block[(line.start + stripped)..<end]
        }
        // Spliced with the document's line break after it, as the entry has in
        // the document (or would have), so that an entry added at the end
        // gets that break before it; the break is taken off again after.
        let lineBreak: [UInt8] = layout.usesCRLF ? [0x0D, .newline] : [.newline]
        var spliced = try replacingValue(ofTopLevelKey: key, in: dedented + lineBreak, with: value)
        guard spliced.count >= lineBreak.count, Array(spliced.suffix(lineBreak.count)) == lineBreak else {
            return nil
        }
        spliced.removeLast(lineBreak.count)
        // Back into the indentation: a line the splice kept gets what it had, a new line the mapping's.
        var prefix = 0
        while prefix < min(dedented.count, spliced.count) && dedented[prefix] == spliced[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(dedented.count, spliced.count) - prefix
            && dedented[dedented.count - 1 - suffix] == spliced[spliced.count - 1 - suffix]
        {
            suffix += 1
        }
        var reindented: [UInt8] = []
        reindented.reserveCapacity(spliced.count + 64)
        var lineStart = 0
        while lineStart < spliced.count {
            let kept: Int?
            if lineStart < prefix {
                kept = strippedAt[lineStart]
            } else if lineStart > 0 && lineStart - 1 >= spliced.count - suffix {
                kept = strippedAt[lineStart - spliced.count + dedented.count]
            } else {
                kept = nil
            }
            let lineEnd = spliced[lineStart...].firstIndex(of: .newline).map { $0 + 1 } ?? spliced.count
            let line = spliced[lineStart..<lineEnd]
            // A line the splice wrote gets the mapping's indentation, unless empty.
            let spaces = kept ?? (line.first == .newline || line.first == 0x0D ? 0 : indent)
            reindented += repeatElement(UInt8.space, count: spaces)
            reindented += line
            if lineEnd == spliced.count { break }
            lineStart = lineEnd
        }
        return Array(bytes[..<valueStart]) + reindented + Array(bytes[entry.end...])
    }
}
