import GiterCodec

/// A resource file split around its `status` entry, without a node tree of
/// the whole file: what the check of a consumer's change needs.
///
/// The bytes outside `status` are compared as bytes (``sameOutsideStatus(as:)``);
/// only `apiVersion`, `kind` and `status` are built as nodes, to validate the
/// status against the kind's definition. Where the entry lies is found by
/// the codec's `YAMLTopLevelEntries`, the same code that tells
/// ``YAMLSplice`` what to replace, so a file the splice wrote always splits
/// the way the check reads it.
struct StatusSplit {
    /// The file's bytes.
    let bytes: [UInt8]
    /// The bytes the `status` entry takes, with its line break: what
    /// removing it takes out. Empty when the file has no status.
    let statusRange: Range<Int>
    /// `apiVersion`, `kind` and `status` (those the file has), with locations.
    let root: Node.Mapping

    /// Splits a resource file.
    ///
    /// - Throws: ``CodecError`` when the file is not one YAML document whose
    ///   root is a block mapping starting in column 1.
    init(bytes: [UInt8], limits: ParseLimits = .default) throws {
        let layout = try bytes.withUnsafeBufferPointer {
            try YAMLTopLevelEntries(
                of: $0, limits: limits, values: ["apiVersion", "kind", ResourceDocument.statusKey])
        }
        self.bytes = bytes
        self.statusRange = layout.entry(forKey: ResourceDocument.statusKey)
            .map { YAMLTopLevelEntries.removalRange(of: $0, in: bytes) } ?? 0..<0
        self.root = layout.values
    }

    /// Whether the bytes outside `status` equal those of `other`: the file
    /// with its status entry removed is the same, byte for byte (comments,
    /// blank lines and the final line break included).
    func sameOutsideStatus(as other: StatusSplit) -> Bool {
        let mine = outside
        let theirs = other.outside
        guard mine[0].count + mine[1].count == theirs[0].count + theirs[1].count else { return false }
        return bytes.withUnsafeBufferPointer { left in
            other.bytes.withUnsafeBufferPointer { right in
                // Walk both pairs of ranges in step, comparing the longest runs both have.
                var (i, j) = (0, 0)
                var (a, b) = (mine[0].lowerBound, theirs[0].lowerBound)
                while i < 2 && j < 2 {
                    if a == mine[i].upperBound {
                        i += 1
                        if i < 2 { a = mine[i].lowerBound }
                        continue
                    }
                    if b == theirs[j].upperBound {
                        j += 1
                        if j < 2 { b = theirs[j].lowerBound }
                        continue
                    }
                    let run = min(mine[i].upperBound - a, theirs[j].upperBound - b)
                    guard UnsafeBufferPointer(rebasing: left[a..<(a + run)])
                        .elementsEqual(UnsafeBufferPointer(rebasing: right[b..<(b + run)]))
                    else { return false }
                    a += run
                    b += run
                }
                return true
            }
        }
    }

    /// The two ranges of ``bytes`` around the status entry.
    private var outside: [Range<Int>] {
        [0..<statusRange.lowerBound, statusRange.upperBound..<bytes.count]
    }
}
