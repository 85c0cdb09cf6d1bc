/// Where each entry of a YAML document's root block mapping lies in its
/// bytes, found with one parse to a ``DocumentTape`` and no ``Node`` tree of
/// the document.
///
/// The one home of "where is a top-level key": ``YAMLSplice`` replaces the
/// bytes of an entry, and the contract check compares the bytes outside the
/// `status` entry of two versions of a resource file. Only the values asked
/// for are built as nodes; the tape is released before the initialiser
/// returns, so what stays is the list of entries, those values and a
/// digest, whatever the size of the document.
///
/// An entry spans from the start of its key's line to just after the last
/// byte of its value's last line (a comment on that line included), its
/// line break excluded: what a splice replaces.
package struct YAMLTopLevelEntries: Sendable {
    /// One entry of the root mapping.
    package struct Entry: Sendable, Equatable {
        package let key: String
        /// The offset in the caller's bytes where the key's line starts.
        package let start: Int
        /// The offset in the caller's bytes just after the value's last byte.
        package let end: Int
    }

    /// The entries, in document order.
    package let entries: [Entry]
    /// Whether the text has CRLF line breaks (a written value uses them too).
    package let usesCRLF: Bool
    /// The values of the keys asked for, in document order, with the
    /// locations of their nodes and keys.
    package let values: Node.Mapping
    /// A digest of each entry's key and value, in order, but for the entry
    /// whose key was excluded (``init(of:limits:values:digestExcluding:)``),
    /// which has 0; empty when no key was given. It compares the structure
    /// and the text of the values (kinds, strings after escapes, numbers as
    /// written), not their layout. It is a seeded hash (`Hasher`): equal
    /// within one process run for equal entries, and not predictable from
    /// outside.
    package let digests: [Int]

    /// Parses `bytes`, which must hold one YAML document whose root is a
    /// block mapping starting in column 1, as resource files are.
    ///
    /// - Parameters:
    ///   - values: keys whose values are built as nodes (``values``).
    ///   - excluded: the key left out of ``digest``; `nil` skips the digest.
    /// - Throws: ``CodecError`` when `bytes` is not valid YAML, holds other
    ///   than one document, or its root is not a block mapping in column 1.
    package init(
        of bytes: UnsafeBufferPointer<UInt8>, limits: ParseLimits, values keys: Set<String> = [],
        digestExcluding excluded: String? = nil
    ) throws {
        (entries, usesCRLF, values, digests) = try YAMLInput.withPrepared(bytes, limits: limits) { input in
            var parser = YAMLParser(input: input, limits: limits)
            parser.topLevelEntries = []
            try parser.parseStream()
            let tape = parser.tape
            let locator = TapeLocator.yaml(input)
            return try tape.withView(text: input.bytes) { view in
                guard tape.roots.count == 1 else {
                    throw CodecError(
                        .syntax,
                        "a splice needs exactly one YAML document, found \(tape.roots.count)",
                        at: tape.roots.count > 1 ? locator.location(of: view.offset(tape.roots[1])) : nil
                    )
                }
                let root = tape.roots[0]
                let rootOffset = view.offset(root)
                guard view.kind(root) == .mapping, rootOffset == 0 || input.bytes[rootOffset - 1] == .newline,
                    let recorded = parser.topLevelEntries, !recorded.isEmpty,
                    recorded.count == view.childCount(root)
                else {
                    throw CodecError(
                        .syntax,
                        "a splice needs a document whose root is a block mapping starting in column 1",
                        at: locator.location(of: rootOffset)
                    )
                }
                let entries = recorded.map {
                    Entry(
                        key: $0.key, start: locator.originalOffset(lineStart(of: $0.keyStart, in: input.bytes)),
                        // The offset just after the value's last byte, so a CR of
                        // a CRLF line break stays outside the entry.
                        end: $0.valueEnd == 0 ? input.prefixLength : locator.originalOffset($0.valueEnd - 1) + 1)
                }
                var values = Node.Mapping()
                var cursor = TapeLocator.Cursor(locator)
                var digests: [Int] = []
                var key = view.firstChild(root)
                for entry in entries {
                    let value = view.next(key)
                    if keys.contains(entry.key) {
                        let keyLocation = cursor.location(of: view.offset(key), in: locator)
                        values.entries.append(
                            Node.Mapping.Entry(
                                key: entry.key, value: view.node(at: value, locator: locator, cursor: &cursor),
                                keyLocation: keyLocation))
                    }
                    if let excluded {
                        var hasher = Hasher()
                        if entry.key != excluded {
                            view.withBytes(key) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
                            hasher.combine(UInt8(0xFF))
                            view.hashStructure(of: value, into: &hasher)
                        }
                        digests.append(entry.key == excluded ? 0 : hasher.finalize())
                    }
                    key = view.next(value)
                }
                return (entries, !input.removedCarriageReturns.isEmpty, values, digests)
            }
        }
    }

    /// The entry of `key`, if the document has one.
    package func entry(forKey key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    /// The position of `key` among the entries, if the document has it.
    package func index(ofKey key: String) -> Int? {
        entries.firstIndex { $0.key == key }
    }

    /// The bytes that removing `entry` from `bytes` takes out: the entry and
    /// the line break after it (LF or CRLF), when there is one.
    package static func removalRange(of entry: Entry, in bytes: [UInt8]) -> Range<Int> {
        var end = entry.end
        if end < bytes.count && bytes[end] == .newline {
            end += 1
        } else if end + 1 < bytes.count && bytes[end] == 0x0D && bytes[end + 1] == .newline {
            end += 2
        }
        return entry.start..<end
    }
}

extension TapeView {
    /// Feeds the structure and text of the value at `index` to `hasher`:
    /// each value's kind (null, boolean, number, string, sequence, mapping),
    /// the text of strings and numbers, and where each collection ends. No
    /// offsets, so equal values at different places hash alike.
    func hashStructure(of index: Int, into hasher: inout Hasher) {
        let stop = next(index)
        var ends: [Int] = []
        var index = index
        while index < stop {
            while let last = ends.last, last <= index {
                hasher.combine(UInt8(0xFE))
                ends.removeLast()
            }
            let kind = kind(index)
            switch kind {
            case .sequence, .mapping:
                hasher.combine(UInt8(kind == .mapping ? 0xF1 : 0xF2))
                ends.append(end(index))
                index = firstChild(index)
                continue
            case .null, .false, .true:
                hasher.combine(UInt8(kind.rawValue))
            default:
                hasher.combine(UInt8(isNumber(index) ? 0xF3 : 0xF4))
                withBytes(index) { text in
                    hasher.combine(text.count)
                    hasher.combine(bytes: UnsafeRawBufferPointer(text))
                }
            }
            index = next(index)
        }
        for _ in ends { hasher.combine(UInt8(0xFE)) }
    }
}

/// The offset where the line holding `offset` starts.
private func lineStart(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var index = offset
    while index > 0 && bytes[index - 1] != .newline { index -= 1 }
    return index
}
