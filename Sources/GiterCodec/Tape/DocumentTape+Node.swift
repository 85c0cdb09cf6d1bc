extension DocumentTape {
    /// The tape of a ``Node`` tree, for ``DocumentDecoder/decode(_:from:)``,
    /// and the location of each of its values and keys.
    ///
    /// The tape has no text: strings and numbers are side text, and the
    /// offset of each value or key is its position in `locations`, which
    /// holds the location its node (or entry key) had, so decoding errors
    /// name the line and column the tree was read from. The tree is walked
    /// without recursion, so a deep tree built in code cannot exhaust the
    /// stack here.
    ///
    /// - Throws: ``CodecError/Code/limitExceeded`` for a tree of more values
    ///   and keys, or more string bytes, than a tape can describe.
    static func written(from root: Node) throws(CodecError) -> (tape: DocumentTape, locations: [PackedLocation]) {
        /// An open collection: its head on the tape and the members still to write.
        struct Frame {
            var head: Int
            var items: [Node]
            var entries: [Node.Mapping.Entry]
            var next = 0
        }
        var tape = DocumentTape(inputBytes: 0)
        var locations: [PackedLocation] = []
        var frames: [Frame] = []
        tape.beginDocument()
        var node = root
        while true {
            guard locations.count < Int(offsetMask) else { throw tooManyValues() }
            let offset = locations.count
            locations.append(node.packedLocation)
            switch node.content {
            case .null: tape.appendLiteral(.null, at: offset)
            case .bool(let value): tape.appendLiteral(value ? .true : .false, at: offset)
            case .number(let number): tape.appendSide(.sideNumber, at: offset, string: number.text)
            case .string(let string): tape.appendSide(.sideString, at: offset, string: string)
            case .sequence(let items):
                frames.append(Frame(head: tape.beginCollection(.sequence, at: offset), items: items, entries: []))
            case .mapping(let mapping):
                frames.append(
                    Frame(head: tape.beginCollection(.mapping, at: offset), items: [], entries: mapping.entries))
            }

            // The next value: the next member of the innermost open
            // collection, closing the collections that have no more.
            while let last = frames.indices.last {
                let next = frames[last].next
                if next < frames[last].items.count {
                    node = frames[last].items[next]
                } else if next < frames[last].entries.count {
                    guard locations.count < Int(offsetMask) else { throw tooManyValues() }
                    let entry = frames[last].entries[next]
                    tape.appendSide(.sideString, at: locations.count, string: entry.key)
                    locations.append(entry.packedKeyLocation)
                    node = entry.value
                } else {
                    tape.endCollection(frames[last].head)
                    frames.removeLast()
                    continue
                }
                frames[last].next = next + 1
                break
            }
            if frames.isEmpty { break }
        }
        guard tape.side.count <= Int(UInt32.max) else {
            throw CodecError(
                .limitExceeded,
                "the tree holds \(tape.side.count) bytes of text; Giter decodes trees of at most \(UInt32.max) bytes"
            )
        }
        return (tape, locations)
    }

    private static func tooManyValues() -> CodecError {
        CodecError(
            .limitExceeded,
            "the tree has more than \(offsetMask) values and keys; Giter decodes trees of at most that many"
        )
    }
}
