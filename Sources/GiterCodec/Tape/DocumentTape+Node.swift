extension DocumentTape {
    /// The tape of a ``Node`` tree, for ``DocumentDecoder/decode(_:from:)``,
    /// and the location of each of its values and keys.
    ///
    /// The tape has no text: the offset of each value or key is its
    /// position in document order, which indexes both the tape's
    /// ``strings`` (the tree's own strings, keys and number texts, kept
    /// without a copy) and `locations` (the location its node or entry key
    /// had, so decoding errors name the line and column the tree was read
    /// from). The tree is walked without recursion, so a deep tree built in
    /// code cannot exhaust the stack here.
    ///
    /// - Throws: ``CodecError/Code/limitExceeded`` for a tree of more values
    ///   and keys than a tape can describe.
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
        // Room for a resource's tree, which saves the first regrowths.
        let guess = 128
        tape.reserveTree(values: guess)
        locations.reserveCapacity(guess)
        var frames: [Frame] = []
        frames.reserveCapacity(16)
        tape.beginDocument()
        var node = root
        while true {
            guard locations.count < Int(offsetMask) else { throw tooManyValues() }
            locations.append(node.packedLocation)
            switch node.content {
            case .null: tape.appendTree(.null)
            case .bool(let value): tape.appendTree(value ? .true : .false)
            case .number(let number): tape.appendTree(.treeNumber, text: number.text)
            case .string(let string): tape.appendTree(.treeString, text: string)
            case .sequence(let items):
                frames.append(Frame(head: tape.beginTreeCollection(.sequence), items: items, entries: []))
            case .mapping(let mapping):
                frames.append(Frame(head: tape.beginTreeCollection(.mapping), items: [], entries: mapping.entries))
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
                    tape.appendTree(.treeString, text: entry.key)
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
        assert(locations.count == tape.nextTreeOffset, "a location for every value and key")
        return (tape, locations)
    }

    private static func tooManyValues() -> CodecError {
        CodecError(
            .limitExceeded,
            "the tree has more than \(offsetMask) values and keys; Giter decodes trees of at most that many"
        )
    }
}
