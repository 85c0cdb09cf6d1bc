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
        try replacingValues([(key, value)], inTopLevelKey: parent, in: bytes)
    }

    /// Returns UTF-8 `bytes` with several keys inside the mapping of the
    /// top-level `parent` replaced (or added, or removed for `nil`), in
    /// order, as `replacingValue(ofKey:inTopLevelKey:in:with:)`
    /// replaces one: with one parse of the document and one read-back,
    /// whatever the number of keys.
    public func replacingValues(
        _ values: [(key: String, value: Node?)],
        inTopLevelKey parent: String,
        in bytes: [UInt8]
    ) throws -> [UInt8] {
        let layout = try bytes.withUnsafeBufferPointer {
            try YAMLTopLevelEntries(of: $0, limits: limits, values: [parent], digestExcluding: parent)
        }
        guard let entry = layout.entry(forKey: parent), let current = layout.values[parent] else {
            var fields = Node.Mapping()
            for (key, value) in values { fields[key] = value }
            guard !fields.entries.isEmpty else { return bytes }
            return try replacingValue(ofTopLevelKey: parent, in: bytes, with: .mapping(fields))
        }
        var expected: Node.Mapping
        switch current.content {
        case .mapping(let fields): expected = fields
        case .null: expected = Node.Mapping()
        default:
            let keys = values.map { "'\(parent).\($0.key)'" }.joined(separator: ", ")
            throw CodecError(
                .invalidValue,
                "'\(parent)' is \(current.kindDescription), not a mapping; \(keys) cannot be written",
                at: current.location
            )
        }
        let changes = values.filter { expected[$0.key] != $0.value }
        guard !changes.isEmpty else { return bytes }
        for (key, value) in changes { expected[key] = value }
        guard case .mapping = current.content,
            let output = try spliceInPlace(changes, entry: entry, parent: current, in: bytes, layout: layout)
        else {
            // Not a block mapping under its key: the parent's value is written anew.
            return try replacingValue(ofTopLevelKey: parent, in: bytes, with: .mapping(expected))
        }
        let check = try? output.withUnsafeBufferPointer {
            try YAMLTopLevelEntries(of: $0, limits: limits, values: [parent], digestExcluding: parent)
        }
        guard let check, check.digests == layout.digests, check.values[parent] == .mapping(expected) else {
            let keys = changes.map { "'\(parent).\($0.key)'" }.joined(separator: ", ")
            throw CodecError(
                .invalidValue,
                "splicing \(keys) would not give the intended document; the text was left unchanged"
            )
        }
        return output
    }

    /// The splice inside the parent's block mapping: its lines, taken out
    /// of their indentation, spliced as a document of their own and put
    /// back. `nil` when the parent's value is not a block mapping starting
    /// on a line after its key.
    private func spliceInPlace(
        _ changes: [(key: String, value: Node?)],
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
        var text = dedented + lineBreak
        for (key, value) in changes {
            let spliced = try replacingValue(ofTopLevelKey: key, in: text, with: value)
            strippedAt = Self.indentation(of: spliced, splicedFrom: text, kept: strippedAt, new: indent)
            text = spliced
        }
        guard text.count >= lineBreak.count, Array(text.suffix(lineBreak.count)) == lineBreak else { return nil }
        text.removeLast(lineBreak.count)
        var reindented: [UInt8] = []
        reindented.reserveCapacity(text.count + 64)
        var lineStart = 0
        while lineStart < text.count {
            let lineEnd = text[lineStart...].firstIndex(of: .newline).map { $0 + 1 } ?? text.count
            reindented += repeatElement(UInt8.space, count: strippedAt[lineStart] ?? indent)
            reindented += text[lineStart..<lineEnd]
            lineStart = lineEnd
        }
        return Array(bytes[..<valueStart]) + reindented + Array(bytes[entry.end...])
    }

    /// The indentation each line of `spliced` gets back, by the offset where
    /// it starts: a line the splice kept (in the bytes both texts start or
    /// end with) what it had in `original` (`kept`), a line it wrote `new`
    /// spaces, or none when empty.
    private static func indentation(
        of spliced: [UInt8],
        splicedFrom original: [UInt8],
        kept: [Int: Int],
        new: Int
    ) -> [Int: Int] {
        var prefix = 0
        while prefix < min(original.count, spliced.count) && original[prefix] == spliced[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(original.count, spliced.count) - prefix
            && original[original.count - 1 - suffix] == spliced[spliced.count - 1 - suffix]
        {
            suffix += 1
        }
        var result: [Int: Int] = [:]
        var lineStart = 0
        while lineStart < spliced.count {
            if lineStart < prefix {
                result[lineStart] = kept[lineStart]
            } else if lineStart > 0 && lineStart - 1 >= spliced.count - suffix {
                result[lineStart] = kept[lineStart - spliced.count + original.count]
            }
            let empty = spliced[lineStart] == .newline || spliced[lineStart] == 0x0D
            if result[lineStart] == nil { result[lineStart] = empty ? 0 : new }
            guard let end = spliced[lineStart...].firstIndex(of: .newline) else { break }
            lineStart = end + 1
        }
        return result
    }
}
