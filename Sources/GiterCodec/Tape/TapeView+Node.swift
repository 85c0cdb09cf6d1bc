extension TapeView {
    /// The ``Node`` tree of the value at `index`, with the location of every
    /// node and key.
    ///
    /// The tree is built without recursion, members moved from shared
    /// stacks into exactly sized arrays, and locations found by one forward
    /// walk of `cursor` (offsets on a tape only grow in document order).
    func node(at index: Int, locator: TapeLocator, cursor: inout TapeLocator.Cursor) -> Node {
        struct Frame {
            var end: Int
            var isMapping: Bool
            var start: Int
            var location: SourceLocation?
            var key = ""
            var keyLocation: SourceLocation? = nil
        }
        var frames: [Frame] = []
        var items = JSONReader.ValueStack<Node>()
        var entries = JSONReader.ValueStack<Node.Mapping.Entry>()
        var index = index

        /// Reads the key at `index` into the innermost frame and moves past it.
        func readKey(_ index: inout Int, into frame: inout Frame, cursor: inout TapeLocator.Cursor) {
            frame.keyLocation = cursor.location(of: offset(index), in: locator)
            frame.key = string(index)
            index = next(index)
        }

        while true {
            let location = cursor.location(of: offset(index), in: locator)
            var value: Node
            switch kind(index) {
            case .null: value = Node(.null, location: location)
            case .false: value = Node(.bool(false), location: location)
            case .true: value = Node(.bool(true), location: location)
            case .number, .sideNumber, .treeNumber, .wordNumber:
                value = Node(.number(Node.Number(validated: string(index))), location: location)
            case .string, .quotedString, .sideString, .jsonString, .treeString, .treeKey, .word:
                value = Node(.string(string(index)), location: location)
            case .sequence, .mapping:
                let isMapping = kind(index) == .mapping
                let end = end(index)
                if firstChild(index) >= end {
                    value = Node(isMapping ? .mapping(Node.Mapping()) : .sequence([]), location: location)
                    break
                }
                var frame = Frame(
                    end: end, isMapping: isMapping, start: isMapping ? entries.count : items.count, location: location)
                index = firstChild(index)
                if isMapping { readKey(&index, into: &frame, cursor: &cursor) }
                frames.append(frame)
                continue
            }
            index = next(index)

            // Hand the value to its collection, closing collections that end here.
            while !frames.isEmpty {
                let last = frames.count - 1
                if frames[last].isMapping {
                    entries.append(
                        Node.Mapping.Entry(key: frames[last].key, value: value, keyLocation: frames[last].keyLocation))
                    if index < frames[last].end {
                        readKey(&index, into: &frames[last], cursor: &cursor)
                        break
                    }
                    value = Node(.mapping(Node.Mapping(entries.popArray(from: frames[last].start))),
                        location: frames[last].location)
                } else {
                    items.append(value)
                    if index < frames[last].end { break }
                    value = Node(.sequence(items.popArray(from: frames[last].start)), location: frames[last].location)
                }
                frames.removeLast()
            }
            if frames.isEmpty { return value }
        }
    }
}
