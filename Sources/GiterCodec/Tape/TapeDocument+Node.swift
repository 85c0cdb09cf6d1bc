extension TapeDocument {
    /// The content of the value at `index`: scalars made from the text,
    /// collections as views of their members (one level).
    func content(at index: Int) -> Node.Content {
        withView { view in
            switch view.kind(index) {
            case .null: return .null
            case .false: return .bool(false)
            case .true: return .bool(true)
            case .number, .sideNumber, .treeNumber, .wordNumber: return .number(Node.Number(validated: view.string(index)))
            case .string, .quotedString, .sideString, .jsonString, .treeString, .treeKey, .word:
                return .string(view.string(index))
            case .sequence:
                var items: [Node] = []
                items.reserveCapacity(view.childCount(index))
                let end = view.end(index)
                var item = view.firstChild(index)
                while item < end {
                    items.append(Node(tape: self, index: item))
                    item = view.next(item)
                }
                return .sequence(items)
            case .mapping:
                return .mapping(Node.Mapping(tape: self, index: index))
            }
        }
    }

    /// The value of `key` in the mapping at `index`; `nil` when the value
    /// there is not a mapping or has no such key.
    func value(forKey key: String, inMappingAt index: Int) -> Node? {
        var name = key
        return name.withUTF8 { bytes in
            withView { view -> Node? in
                guard view.kind(index) == .mapping else { return nil }
                let end = view.end(index)
                var child = view.firstChild(index)
                while child < end {
                    let value = view.next(child)
                    if view.key(child, equals: bytes, string: key) { return Node(tape: self, index: value) }
                    child = view.next(value)
                }
                return nil
            }
        }
    }

    /// The item at `position` of the sequence at `index`; `nil` when the
    /// value there is not a sequence that long.
    func item(_ position: Int, ofSequenceAt index: Int) -> Node? {
        withView { view -> Node? in
            guard view.kind(index) == .sequence, position >= 0 else { return nil }
            let end = view.end(index)
            var child = view.firstChild(index)
            var remaining = position
            while child < end {
                if remaining == 0 { return Node(tape: self, index: child) }
                remaining -= 1
                child = view.next(child)
            }
            return nil
        }
    }
}

/// A mapping on a ``TapeDocument``: the head index of each key, found once
/// when the view is made, so entries are reached by position in constant time.
final class TapeMapping: Sendable {
    let document: TapeDocument
    /// The mapping's head index.
    let head: Int
    /// The head index of each entry's key, in order.
    let keys: [UInt32]

    init(document: TapeDocument, head: Int) {
        self.document = document
        self.head = head
        keys = document.withView { view in
            var keys: [UInt32] = []
            keys.reserveCapacity(view.childCount(head))
            let end = view.end(head)
            var key = view.firstChild(head)
            while key < end {
                keys.append(UInt32(truncatingIfNeeded: key))
                key = view.next(view.next(key))
            }
            return keys
        }
    }

    /// The entry at `position`.
    func entry(at position: Int) -> Node.Mapping.Entry {
        let key = Int(keys[position])
        return document.withView { view in
            Node.Mapping.Entry(tape: document, keyIndex: key, key: view.string(key), valueIndex: view.next(key))
        }
    }

    /// The value of the entry at `position`.
    func value(at position: Int) -> Node {
        Node(tape: document, index: document.withView { $0.next(Int(keys[position])) })
    }

    /// Every entry, as an array of their own.
    func entries() -> [Node.Mapping.Entry] { keys.indices.map { entry(at: $0) } }

    /// The position of `key`, if present.
    func index(forKey key: String) -> Int? {
        var name = key
        return name.withUTF8 { bytes in
            document.withView { view in keys.firstIndex { view.key(Int($0), equals: bytes, string: key) } }
        }
    }
}
