/// The keys of one mapping as a reader reads them, for finding a repeated
/// key: both ``YAMLReader`` and ``JSONReader`` use it, so a mapping costs
/// time linear in its keys in both.
///
/// While the mapping has at most ``linearSearchLimit`` keys, a new key is
/// compared with each earlier one (no `String` made, which is the fastest
/// for the small mappings of resources); past that, the keys' strings go
/// into a hash index, built once, and each new key costs one lookup. Keys
/// are equal when they are equal Swift strings (canonical equivalence),
/// in both modes.
///
/// The reader keeps the keys themselves (on its tape or a stack) and
/// refers to them by their position in the mapping, 0 for the first key.
struct MappingKeyIndex {
    /// Mappings with more keys than this are indexed by hashing.
    static var linearSearchLimit: Int { 16 }

    /// The position of each key's first occurrence, once the mapping is large.
    private var positions: [String: Int]? = nil

    init() {}

    /// The position of an earlier key equal to the new one, which follows
    /// `count` earlier keys; `nil` when there is none, and the new key is
    /// then recorded at position `count`.
    ///
    /// - Parameters:
    ///   - count: How many keys the mapping had before the new one.
    ///   - newKey: The new key's string (made only once the index is used).
    ///   - keyAt: The string of the earlier key at a position.
    ///   - isEqual: Whether the earlier key at a position equals the new key.
    @inline(__always)
    mutating func firstEqual(
        after count: Int,
        newKey: () -> String,
        keyAt: (Int) -> String,
        isEqual: (Int) -> Bool
    ) -> Int? {
        if positions == nil {
            guard count > Self.linearSearchLimit else {
                var position = 0
                while position < count {
                    if isEqual(position) { return position }
                    position += 1
                }
                return nil
            }
            var index = [String: Int](minimumCapacity: 2 * count)
            for position in 0..<count where index[keyAt(position)] == nil { index[keyAt(position)] = position }
            positions = index
        }
        let key = newKey()
        if let found = positions?[key] { return found }
        positions?[key] = count
        return nil
    }
}
