/// Replaces the value of one top-level key in a YAML document and leaves
/// every other byte as it was: comments, key order, quoting, blank lines and
/// line breaks (CRLF included).
///
/// This is how a consumer writes `status` without touching the producer's
/// `spec` text. The document must be a single block mapping starting in the
/// first column, as resource files are. The entry being replaced spans from
/// its key to the last line of its value; a comment on the line of the key
/// or inside the value goes with it, and comment lines after it stay.
///
/// ```swift
/// let text = "spec:\n  size: 3  # keep this\nstatus:\n  phase: Pending\n"
/// let updated = try YAMLSplice().replacingValue(
///     ofTopLevelKey: "status", in: text, with: ["phase": "Done"])
/// // "spec:\n  size: 3  # keep this\nstatus:\n  phase: Done\n"
/// ```
///
/// Every result is read back before it is returned: the new value must read
/// as `value`, in the entry's place, and every other entry must read as it
/// did (compared by a digest of their values rather than by node trees),
/// so a splice either gives a document that reads as intended or throws: it
/// never returns damaged text. Time and memory are linear in the document:
/// it is never read into a node tree.
public struct YAMLSplice: Sendable {
    /// Writes the new value.
    public var writer: YAMLWriter
    /// The bounds applied when reading the document.
    public var limits: ParseLimits

    public init(writer: YAMLWriter = YAMLWriter(), limits: ParseLimits = .default) {
        self.writer = writer
        self.limits = limits
    }

    /// Returns `text` with the value of the top-level `key` replaced by
    /// `value`. When the key is absent, the entry is added after the last
    /// entry; when `value` is `nil`, the entry is removed.
    ///
    /// - Throws: ``CodecError`` when `text` is not valid YAML, holds more
    ///   than one document, or its root is not a block mapping.
    public func replacingValue(ofTopLevelKey key: String, in text: String, with value: Node?) throws -> String {
        let bytes = try replacingValue(ofTopLevelKey: key, in: Array(text.utf8), with: value)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Returns UTF-8 `bytes` with the value of the top-level `key` replaced
    /// by `value` (added when absent, removed when `value` is `nil`).
    ///
    /// The work is linear in the size of `bytes`, and so is the memory: the
    /// document is parsed to the readers' flat tape, never to a node tree,
    /// and the result is written once into an array of its exact size. The
    /// read-back parses the result the same way from the new entry's line
    /// on (all of it after a removal), builds only the new value, and
    /// compares a digest of every other entry it reads with the input's.
    public func replacingValue(ofTopLevelKey key: String, in bytes: [UInt8], with value: Node?) throws -> [UInt8] {
        let layout = try bytes.withUnsafeBufferPointer {
            try YAMLTopLevelEntries(of: $0, limits: limits, digestExcluding: key)
        }
        let lineBreak: [UInt8] = layout.usesCRLF ? [0x0D, .newline] : [.newline]
        // The output is bytes[..<prefixEnd] + inserted + bytes[suffixStart...].
        let prefixEnd: Int
        let suffixStart: Int
        var inserted: [UInt8] = []
        // Where the entry of `key` starts in the output, unless it is removed.
        var entryStart: Int? = nil
        // The digests the entries from the new one on must have when read back.
        var expectedDigests: ArraySlice<Int>
        if let index = layout.index(ofKey: key) {
            let entry = layout.entries[index]
            if let value {
                (prefixEnd, suffixStart) = (entry.start, entry.end)
                inserted = render(key: key, value: value, crlf: layout.usesCRLF, trailingBreak: false)
                entryStart = entry.start
                expectedDigests = [0] + layout.digests[(index + 1)...]
            } else {
                let removed = YAMLTopLevelEntries.removalRange(of: entry, in: bytes)
                (prefixEnd, suffixStart) = (removed.lowerBound, removed.upperBound)
                var digests = layout.digests
                digests.remove(at: index)
                expectedDigests = digests[...]
            }
        } else if let value {
            // After the last entry and its line break, or a line break of our own.
            let last = layout.entries[layout.entries.count - 1]
            let insertAt = YAMLTopLevelEntries.removalRange(of: last, in: bytes).upperBound
            if insertAt == last.end { inserted = lineBreak }
            entryStart = insertAt + inserted.count
            inserted += render(key: key, value: value, crlf: layout.usesCRLF, trailingBreak: true)
            (prefixEnd, suffixStart) = (insertAt, insertAt)
            expectedDigests = [0]
        } else {
            return bytes
        }

        let count = prefixEnd + inserted.count + (bytes.count - suffixStart)
        let output = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var at = buffer.startIndex
            for part in [bytes[..<prefixEnd], inserted[...], bytes[suffixStart...]] {
                at = buffer[at...].initialize(fromContentsOf: part)
            }
            initialized = at
        }

        // Read the result back. A new value is read from its entry's line on:
        // the entries before it are the same bytes, followed as before by a key
        // in column 1, so they read as they did. A removal is read whole (what
        // follows the entry before it changes).
        let check = try? output.withUnsafeBufferPointer { buffer in
            try YAMLTopLevelEntries(
                of: UnsafeBufferPointer(rebasing: buffer[(entryStart ?? 0)...]), limits: limits, values: [key],
                digestExcluding: key)
        }
        guard let check, check.digests[...] == expectedDigests, check.values[key] == value,
            entryStart == nil || check.entries.first?.key == key
        else {
            throw CodecError(
                .invalidValue,
                "splicing '\(key)' would not give the intended document; the text was left unchanged"
            )
        }
        return output
    }

    /// `key: value` as YAMLWriter writes it, with or without the final line break.
    private func render(key: String, value: Node, crlf: Bool, trailingBreak: Bool) -> [UInt8] {
        var entry = Node.Mapping()
        entry[key] = value
        var text = writer.writeBytes(Node(.mapping(entry)))
        if !trailingBreak, text.last == .newline { text.removeLast() }
        guard crlf else { return text }
        var converted = [UInt8]()
        converted.reserveCapacity(text.count + 16)
        for byte in text {
            if byte == .newline { converted.append(0x0D) }
            converted.append(byte)
        }
        return converted
    }
}
