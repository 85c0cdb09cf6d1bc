extension Node {
    /// The entries of a mapping node, in document order.
    ///
    /// Keys are strings: YAML keys are scalars in Giter's subset and are kept
    /// as the text they resolve to. Lookup by key is linear, which is the
    /// fastest choice for the small mappings resources are made of.
    ///
    /// A mapping read from text is a view of the parsed text: its entries
    /// are read from there when asked for (the key's `String` is made then;
    /// the value is a view too). Changing it gives it entries of its own.
    public struct Mapping: Sendable, Hashable, RandomAccessCollection, MutableCollection {
        /// One key and its value.
        public struct Entry: Sendable, Hashable {
            public var key: String
            public var value: Node
            /// The key's location; for an entry read from text, its head
            /// index on the tape of ``keyDocument``.
            var packedKeyLocation: PackedLocation
            /// The parsed text the key was read from, whose location is
            /// computed on first need; `nil` for an entry built in code.
            var keyDocument: TapeDocument?

            /// Where the key starts in the source text, when read from text.
            public var keyLocation: SourceLocation? {
                get {
                    guard let keyDocument else { return packedKeyLocation.location }
                    return keyDocument.location(ofValueAt: Int(packedKeyLocation.offset))
                }
                set {
                    packedKeyLocation = PackedLocation(newValue)
                    keyDocument = nil
                }
            }

            public init(key: String, value: Node, keyLocation: SourceLocation? = nil) {
                self.key = key
                self.value = value
                self.packedKeyLocation = PackedLocation(keyLocation)
                self.keyDocument = nil
            }

            /// The entry whose key has its head at `keyIndex` of `document`'s tape.
            init(tape document: TapeDocument, keyIndex: Int, key: String, valueIndex: Int) {
                self.key = key
                self.value = Node(tape: document, index: valueIndex)
                self.packedKeyLocation = PackedLocation(line: 0, column: 0, offset: UInt32(truncatingIfNeeded: keyIndex))
                self.keyDocument = document
            }

            public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }
            public func hash(into hasher: inout Hasher) {
                hasher.combine(key)
                hasher.combine(value)
            }
        }

        /// Where the entries are: an array of their own, or a mapping on a tape.
        enum Storage: Sendable {
            case owned([Entry])
            case tape(TapeMapping)
        }

        var storage: Storage

        /// The entries in order. Readers never produce duplicate keys; code
        /// that appends to this array directly must keep keys unique.
        public var entries: [Entry] {
            get {
                switch storage {
                case .owned(let entries): entries
                case .tape(let mapping): mapping.entries()
                }
            }
            _modify {
                var entries = takeEntries()
                defer { storage = .owned(entries) }
                yield &entries
            }
        }

        public init(_ entries: [Entry] = []) { storage = .owned(entries) }

        /// A view of the mapping at `index` of `document`'s tape.
        init(tape document: TapeDocument, index: Int) { storage = .tape(TapeMapping(document: document, head: index)) }

        /// The entries as an array of their own, leaving the storage empty
        /// (so the caller holds the only reference and changes them in place).
        private mutating func takeEntries() -> [Entry] {
            switch storage {
            case .owned(let entries):
                storage = .owned([])
                return entries
            case .tape(let mapping):
                return mapping.entries()
            }
        }

        public var startIndex: Int { 0 }
        public var endIndex: Int {
            switch storage {
            case .owned(let entries): entries.count
            case .tape(let mapping): mapping.keys.count
            }
        }
        public subscript(position: Int) -> Entry {
            get {
                switch storage {
                case .owned(let entries): entries[position]
                case .tape(let mapping): mapping.entry(at: position)
                }
            }
            set { entries[position] = newValue }
        }

        /// The keys in order.
        public var keys: [String] { map(\.key) }

        /// The position of `key`, if present.
        public func index(forKey key: String) -> Int? {
            switch storage {
            case .owned(let entries): entries.firstIndex { $0.key == key }
            case .tape(let mapping): mapping.index(forKey: key)
            }
        }

        /// The entry for `key`, if present.
        public func entry(forKey key: String) -> Entry? { index(forKey: key).map { self[$0] } }

        /// The value for `key`. Setting a value replaces it in place, or
        /// appends a new entry; setting `nil` removes the entry.
        public subscript(key: String) -> Node? {
            get {
                switch storage {
                case .owned(let entries): entries.first { $0.key == key }?.value
                case .tape(let mapping): mapping.index(forKey: key).map { mapping.value(at: $0) }
                }
            }
            set {
                let index = index(forKey: key)
                if let index {
                    if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
                } else if let newValue {
                    entries.append(Entry(key: key, value: newValue))
                }
            }
        }

        /// Whether the mapping has `key`.
        public func contains(key: String) -> Bool { index(forKey: key) != nil }

        public static func == (lhs: Mapping, rhs: Mapping) -> Bool {
            switch (lhs.storage, rhs.storage) {
            case (.owned(let left), .owned(let right)): return left == right
            case (.tape(let left), .tape(let right)) where left.document === right.document:
                if left.head == right.head { return true }
            default: break
            }
            guard lhs.count == rhs.count else { return false }
            for index in 0..<lhs.count where lhs[index] != rhs[index] { return false }
            return true
        }

        public func hash(into hasher: inout Hasher) {
            if case .owned(let entries) = storage { return hasher.combine(entries) }
            hasher.combine(count)
            for entry in self { hasher.combine(entry) }
        }
    }
}
