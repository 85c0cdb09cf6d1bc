/// The keys of one mapping as a reader reads them, for finding a repeated
/// key: both ``YAMLReader`` and ``JSONReader`` use it, so a mapping costs
/// time linear in its keys in both.
///
/// While the mapping has at most ``linearSearchLimit`` keys, a new key is
/// compared with each earlier one (no `String` made, which is the fastest
/// for the small mappings of resources); past that, the keys go into a hash
/// index, built once, and each new key costs one lookup. Keys are equal
/// when they are equal Swift strings (canonical equivalence), in both
/// modes: the index hashes a key with `String.hashValue`, which hashes
/// canonically equivalent strings alike, and confirms a match with
/// `isEqual`.
///
/// The index is an open-addressing table of 8-byte slots — the key's
/// position in the mapping and 32 bits of its hash — rather than a
/// `[String: Int]`: it keeps no strings, and at three eighths to three
/// quarters full it costs 11 to 21 bytes a key (32 while it doubles), so a
/// mapping of hundreds of thousands of keys stays small and near in cache (with a dictionary, time per key grew
/// by half from 10 KB to 4 MB of keys: issue 12, Documentation/Performance.md).
///
/// The reader keeps the keys themselves (on its tape or a stack) and
/// refers to them by their position in the mapping, 0 for the first key.
struct MappingKeyIndex {
    /// Mappings with more keys than this are indexed by hashing.
    static var linearSearchLimit: Int { 16 }

    /// Slots of the table, a power of two in number once the index is
    /// used: 0 is empty, else `(position + 1) << 32 | hash`.
    private var slots: [UInt64] = []
    /// Keys in the table.
    private var stored = 0

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
        if slots.isEmpty {
            guard count > Self.linearSearchLimit else {
                var position = 0
                while position < count {
                    if isEqual(position) { return position }
                    position += 1
                }
                return nil
            }
            // The earlier keys are distinct: each was checked as it came.
            slots = [UInt64](repeating: 0, count: Self.capacity(for: count + 1))
            for position in 0..<count { insert(position, hash: Self.hash(keyAt(position))) }
        }
        let hash = Self.hash(newKey())
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if UInt32(truncatingIfNeeded: entry) == hash {
                let position = Int(entry >> 32) - 1
                if isEqual(position) { return position }
            }
            slot = (slot + 1) & mask
        }
        if 4 * (stored + 1) > 3 * slots.count {
            grow()
        }
        insert(count, hash: hash)
        return nil
    }

    /// 32 bits of the key's hash (per-process seeded, so input cannot aim
    /// keys at one slot).
    @inline(__always)
    private static func hash(_ key: String) -> UInt32 {
        UInt32(truncatingIfNeeded: key.hashValue)
    }

    /// A power of two at least twice `keys`: a new table is at most half full.
    private static func capacity(for keys: Int) -> Int {
        var capacity = 64
        while capacity < 2 * keys { capacity *= 2 }
        return capacity
    }

    @inline(__always)
    private mutating func insert(_ position: Int, hash: UInt32) {
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt64(position + 1) << 32 | UInt64(hash)
        stored += 1
    }

    /// Doubles the table; slots keep their hash, so no key is hashed again.
    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        stored = 0
        for entry in old where entry != 0 {
            insert(Int(entry >> 32) - 1, hash: UInt32(truncatingIfNeeded: entry))
        }
    }
}
