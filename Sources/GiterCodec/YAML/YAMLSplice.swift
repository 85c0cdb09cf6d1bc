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
/// Every result is read back and compared with the expected tree before it
/// is returned, so a splice either gives a document that reads as intended
/// or throws: it never returns damaged text.
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
    public func replacingValue(ofTopLevelKey key: String, in bytes: [UInt8], with value: Node?) throws -> [UInt8] {
        let (root, entries, usesCRLF) = try bytes.withUnsafeBufferPointer { buffer in
            try YAMLInput.withPrepared(buffer, limits: limits) { input in
                var parser = YAMLParser(input: input, limits: limits)
                parser.topLevelEntries = []
                try parser.parseStream()
                let documents = YAMLReader.nodes(of: parser.tape, input: input)
                guard documents.count == 1 else {
                    throw CodecError(
                        .syntax,
                        "a splice needs exactly one YAML document, found \(documents.count)",
                        at: documents.count > 1 ? documents[1].location : nil
                    )
                }
                guard case .mapping = documents[0].content, documents[0].location?.column == 1,
                    let recorded = parser.topLevelEntries, !recorded.isEmpty
                else {
                    throw CodecError(
                        .syntax,
                        "a splice needs a document whose root is a block mapping starting in column 1",
                        at: documents[0].location
                    )
                }
                let entries = recorded.map {
                    (key: $0.key, start: input.originalOffset(lineStart(of: $0.keyStart, in: input.bytes)),
                     // The offset just after the value's last byte, so a CR of
                     // a CRLF line break stays outside the replaced range.
                     end: $0.valueEnd == 0 ? input.prefixLength : input.originalOffset($0.valueEnd - 1) + 1)
                }
                return (documents[0], entries, !input.removedCarriageReturns.isEmpty)
            }
        }
        var expected = root.mapping ?? Node.Mapping()
        expected[key] = value

        var output = [UInt8]()
        output.reserveCapacity(bytes.count + 256)
        if let entry = entries.first(where: { $0.key == key }) {
            output.append(contentsOf: bytes[..<entry.start])
            var end = entry.end
            if let value {
                output.append(contentsOf: render(key: key, value: value, crlf: usesCRLF, trailingBreak: false))
            } else {
                // Remove the entry with its line break.
                if end < bytes.count && bytes[end] == .newline { end += 1 }
                else if end + 1 < bytes.count && bytes[end] == 0x0D && bytes[end + 1] == .newline { end += 2 }
            }
            output.append(contentsOf: bytes[end...])
        } else if let value {
            let last = entries[entries.count - 1]
            var insertAt = last.end
            let needsBreak: Bool
            if insertAt < bytes.count && bytes[insertAt] == .newline {
                insertAt += 1
                needsBreak = false
            } else if insertAt + 1 < bytes.count && bytes[insertAt] == 0x0D && bytes[insertAt + 1] == .newline {
                insertAt += 2
                needsBreak = false
            } else {
                needsBreak = true
            }
            output.append(contentsOf: bytes[..<insertAt])
            if needsBreak { output.append(contentsOf: usesCRLF ? [0x0D, .newline] : [.newline]) }
            output.append(contentsOf: render(key: key, value: value, crlf: usesCRLF, trailingBreak: true))
            output.append(contentsOf: bytes[insertAt...])
        } else {
            return bytes
        }

        // Read the result back: it must hold exactly the expected tree.
        let check = try YAMLReader(limits: limits).read(output)
        guard check.count == 1, check[0] == Node(.mapping(expected)) else {
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

/// The offset where the line holding `offset` starts.
private func lineStart(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var index = offset
    while index > 0 && bytes[index - 1] != .newline { index -= 1 }
    return index
}
