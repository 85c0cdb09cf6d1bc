extension Node {
    /// The entries of a mapping node, in document order.
    ///
    /// Keys are strings: YAML keys are scalars in Giter's subset and are kept
    /// as the text they resolve to. Lookup by key is linear, which is the
    /// fastest choice for the small mappings resources are made of.
    public struct Mapping: Sendable, Hashable, RandomAccessCollection, MutableCollection {
        /// One key and its value.
        public struct Entry: Sendable, Hashable {
            public var key: String
            public var value: Node
            var packedKeyLocation: PackedLocation

            /// Where the key starts in the source text, when read from text.
            public var keyLocation: SourceLocation? {
                get { packedKeyLocation.location }
                set { packedKeyLocation = PackedLocation(newValue) }
            }

            public init(key: String, value: Node, keyLocation: SourceLocation? = nil) {
                self.key = key
                self.value = value
                self.packedKeyLocation = PackedLocation(keyLocation)
            }

            public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }
            public func hash(into hasher: inout Hasher) {
                hasher.combine(key)
                hasher.combine(value)
            }
        }

        /// The entries in order. Readers never produce duplicate keys; code
        /// that appends to this array directly must keep keys unique.
        public var entries: [Entry]

        public init(_ entries: [Entry] = []) { self.entries = entries }

        public var startIndex: Int { entries.startIndex }
        public var endIndex: Int { entries.endIndex }
        public subscript(position: Int) -> Entry {
            get { entries[position] }
            set { entries[position] = newValue }
        }

        /// The keys in order.
        public var keys: [String] { entries.map(\.key) }

        /// The position of `key`, if present.
        public func index(forKey key: String) -> Int? { entries.firstIndex { $0.key == key } }

        /// The entry for `key`, if present.
        public func entry(forKey key: String) -> Entry? { index(forKey: key).map { entries[$0] } }

        /// The value for `key`. Setting a value replaces it in place, or
        /// appends a new entry; setting `nil` removes the entry.
        public subscript(key: String) -> Node? {
            get { index(forKey: key).map { entries[$0].value } }
            set {
                if let index = index(forKey: key) {
                    if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
                } else if let newValue {
                    entries.append(Entry(key: key, value: newValue))
                }
            }
        }

        /// Whether the mapping has `key`.
        public func contains(key: String) -> Bool { index(forKey: key) != nil }
    }
}
