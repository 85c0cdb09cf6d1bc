extension DocumentTape {
    /// The members of one collection of a ``Node`` tree written to a tape:
    /// a tree string, number or key on the tape names its collection and
    /// position, and its `String` is read from here when decoding asks for
    /// it. The tape holds one reference per collection rather than one per
    /// string, and no string is copied.
    enum TreeMembers {
        case items([Node])
        case entries([Node.Mapping.Entry])

        /// The text of the string or number at `position`, or of the entry
        /// key there when `isKey`.
        @inline(__always) func text(at position: Int, isKey: Bool) -> String {
            switch self {
            case .items(let items): items[position].content.text
            case .entries(let entries): isKey ? entries[position].key : entries[position].value.content.text
            }
        }
    }

    /// The tape of a ``Node`` tree, for ``DocumentDecoder/decode(_:from:)``,
    /// and the location of each of its values and keys.
    ///
    /// The tape has no text: the offset of each value or key is its
    /// position in document order, which indexes `locations` (the location
    /// its node or entry key had, so decoding errors name the line and
    /// column the tree was read from); strings, numbers and keys name the
    /// collection and position in the tree where their `String` is
    /// (``TreeMembers``), so the tree's own strings are handed out without
    /// a copy. The tree is walked without recursion, so a deep tree built
    /// in code cannot exhaust the stack here.
    ///
    /// - Throws: ``CodecError/Code/limitExceeded`` for a tree of more values
    ///   and keys than a tape can describe.
    static func written(from root: Node) throws(CodecError) -> (tape: DocumentTape, locations: [PackedLocation]) {
        /// An open collection: its head on the tape (-1 for the root's
        /// sequence of one), its index in `treeMembers`, and the members
        /// still to write.
        struct Frame {
            var head: Int
            var members: Int
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
        frames.append(Frame(head: -1, members: tape.appendTreeMembers(.items([root])), items: [root], entries: []))
        while let last = frames.indices.last {
            // The next member of the innermost open collection, or its end.
            let position = frames[last].next
            let node: Node
            if position < frames[last].items.count {
                node = frames[last].items[position]
            } else if position < frames[last].entries.count {
                guard locations.count < Int(offsetMask) else { throw tooManyValues() }
                tape.appendTreeText(.treeKey, at: locations.count, members: frames[last].members, position: position)
                locations.append(frames[last].entries[position].packedKeyLocation)
                node = frames[last].entries[position].value
            } else {
                if frames[last].head >= 0 { tape.endCollection(frames[last].head) }
                frames.removeLast()
                continue
            }
            frames[last].next = position + 1

            guard locations.count < Int(offsetMask) else { throw tooManyValues() }
            let offset = locations.count
            locations.append(node.packedLocation)
            switch node.content {
            case .null: tape.appendLiteral(.null, at: offset)
            case .bool(let value): tape.appendLiteral(value ? .true : .false, at: offset)
            case .number:
                tape.appendTreeText(.treeNumber, at: offset, members: frames[last].members, position: position)
            case .string:
                tape.appendTreeText(.treeString, at: offset, members: frames[last].members, position: position)
            case .sequence(let items):
                let head = tape.beginCollection(.sequence, at: offset)
                frames.append(Frame(head: head, members: tape.appendTreeMembers(.items(items)), items: items, entries: []))
            case .mapping(let mapping):
                let head = tape.beginCollection(.mapping, at: offset)
                let entries = mapping.entries
                frames.append(
                    Frame(head: head, members: tape.appendTreeMembers(.entries(entries)), items: [], entries: entries))
            }
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

extension Node.Content {
    /// The text of a string or number; empty for other values.
    @inline(__always) var text: String {
        switch self {
        case .string(let string): string
        case .number(let number): number.text
        default: ""
        }
    }
}
