/// A set of Unicode scalars, as a bracketed class (`[a-z0-9-]`), a Perl class (`\d`), a POSIX class
/// (`[[:alpha:]]`), a Unicode general category (`\p{Lu}`) or a case-insensitive literal compiles to.
///
/// The set is kept positive (sorted ranges plus general categories) with a negation flag applied last,
/// so that a case-insensitive negated class (`(?i)[^k]`) folds before it negates, as RE2 does.
struct RegexCharacterClass: Sendable, Hashable {
    /// Ranges of scalar values; sorted, non-overlapping and non-adjacent after ``normalize()``.
    private(set) var ranges: [ClosedRange<UInt32>] = []
    /// General categories, each group possibly negated (`\P{L}` inside brackets).
    private(set) var categories: [CategoryGroup] = []
    /// Whether the class matches the scalars it does not list (`[^...]`).
    var isNegated = false
    /// Whether a scalar also matches when one of its simple case variants is listed (`(?i)`).
    var ignoresCase = false

    /// Unicode general categories that a `\p{...}` names, or their complement.
    struct CategoryGroup: Sendable, Hashable {
        var members: Set<Unicode.GeneralCategory>
        var isNegated: Bool

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            members.contains(scalar.properties.generalCategory) != isNegated
        }
    }

    /// The largest scalar value.
    static let maximumScalar: UInt32 = 0x10FFFF

    init() {}

    /// A class of the given ranges.
    init(ranges: [ClosedRange<UInt32>], isNegated: Bool = false) {
        self.ranges = ranges
        self.isNegated = isNegated
        normalize()
    }

    /// Adds one range. ``ranges`` stays unsorted until ``normalize()``: a class of n ranges costs
    /// O(n log n) to build, whatever order the pattern lists them in.
    mutating func add(_ range: ClosedRange<UInt32>) {
        ranges.append(range)
    }

    /// Sorts ``ranges`` and merges those that overlap or touch; ``contains(_:)`` and ``invertedRanges``
    /// need it.
    mutating func normalize() {
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        merged.reserveCapacity(ranges.count)
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }

    /// Adds one scalar.
    mutating func add(_ scalar: Unicode.Scalar) {
        add(scalar.value...scalar.value)
    }

    /// Adds every scalar `other` matches (its own negation included), ignoring `other.ignoresCase`.
    ///
    /// A negated `other` has no categories: only Perl classes (`\D`) are negated as a whole; `\P{L}` is a
    /// positive class holding a negated ``CategoryGroup``.
    mutating func add(contentsOf other: RegexCharacterClass) {
        assert(!other.isNegated || other.categories.isEmpty, "a negated class to merge has no categories")
        if other.isNegated {
            for range in other.invertedRanges { add(range) }
        } else {
            for range in other.ranges { add(range) }
            categories.append(contentsOf: other.categories)
        }
    }

    /// Adds a group of general categories.
    mutating func add(_ group: CategoryGroup) {
        categories.append(group)
    }

    /// The scalar values ``ranges`` leave out.
    var invertedRanges: [ClosedRange<UInt32>] {
        var sorted = self
        sorted.normalize()
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in sorted.ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound &+ 1
        }
        if next <= Self.maximumScalar, sorted.ranges.last?.upperBound != Self.maximumScalar {
            result.append(next...Self.maximumScalar)
        }
        return result
    }

    /// Whether the class matches `scalar`; the class is normalized (``normalize()``).
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let listed = ignoresCase ? Self.anyCaseVariant(of: scalar, satisfies: lists) : lists(scalar)
        return listed != isNegated
    }

    /// Whether `scalar` is in the positive part of the class.
    private func lists(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if value < range.lowerBound {
                high = middle
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return categories.contains { $0.contains(scalar) }
    }
}
