import GiterCodec

/// SplitMix64: a tiny, fast, deterministic generator, so a failing
/// property test can be replayed from its seed on any platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds random ``Node`` trees from a seed, with strings drawn from an
/// alphabet of YAML and JSON hazards: words YAML 1.1 or 1.2 would resolve
/// to other types, indicators, `: ` and ` #`, quotes, backslashes, line
/// breaks, tabs, control and non-ASCII characters.
struct RandomTree {
    /// The deepest nesting of collections (the root is depth 0).
    var maxDepth = 6
    /// Allow `.inf`, `-.inf` and `.nan` (not representable in JSON).
    var allowsNonFiniteNumbers = true
    /// Stop adding collection items once a tree has this many nodes.
    var nodeBudget = 150

    private var generator: SplitMix64
    private var nodeCount = 0

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// A new random tree.
    mutating func tree() -> Node {
        nodeCount = 0
        return node(depth: 0)
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    private mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    private mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    private mutating func node(depth: Int) -> Node {
        nodeCount += 1
        let collectionPercent = depth == 0 ? 85 : max(0, 60 - depth * 10)
        if depth < maxDepth, nodeCount < nodeBudget, chance(collectionPercent) {
            let count = chance(15) ? 0 : int(1...5)
            if chance(50) {
                var items: [Node] = []
                for _ in 0..<count where nodeCount < nodeBudget { items.append(node(depth: depth + 1)) }
                return .sequence(items)
            }
            var mapping = Node.Mapping()
            for _ in 0..<count where nodeCount < nodeBudget {
                let key = self.key()
                if !mapping.contains(key: key) { mapping[key] = node(depth: depth + 1) }
            }
            return .mapping(mapping)
        }
        return scalar()
    }

    private mutating func scalar() -> Node {
        switch int(0...9) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return .number(Node.Number(integer()))
        case 3: return .number(double())
        default: return .string(string())
        }
    }

    private mutating func integer() -> Int {
        switch int(0...4) {
        case 0: pick([0, 1, -1, 7, 10, 17, 100, 1000, Int.max, Int.min, 1 << 53, -(1 << 53) - 1])
        case 1: Int(truncatingIfNeeded: generator.next())
        default: int(-1000...1000)
        }
    }

    private mutating func double() -> Node.Number {
        switch int(0...5) {
        case 0 where allowsNonFiniteNumbers:
            return Node.Number(pick([Double.infinity, -Double.infinity, Double.nan]))
        case 1:
            return Node.Number(
                pick([
                    0.0, -0.0, 0.1, 0.5, 1.5, -2.25, 1e16, 1e-7, 123_456_789.125, 1e300, -1e-300,
                    Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, Double.ulpOfOne, 3.0, 1e21, 1e22,
                ])
            )
        case 2:
            var value = Double(bitPattern: generator.next())
            while !value.isFinite { value = Double(bitPattern: generator.next()) }
            return Node.Number(value)
        default:
            return Node.Number(Double(int(-100_000...100_000)) / Double(pick([1, 2, 8, 10, 100, 3])))
        }
    }

    /// Words and pieces that make YAML writers and readers stumble.
    static let fragments: [String] = [
        // Resolve to other types in YAML 1.1 or 1.2.
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "n", "N", "no", "NO", "true", "True", "FALSE",
        "on", "On", "off", "OFF", "0", "-0", "1", "12", "-1", "+1", "017", "08", "0o17", "0x1F", "0b101",
        "1_000", "1e3", "1E3", "-1.5e-3", "1.", "1.5", ".5", "+.5", "._", "12:30", "1:30", "190:20:30.15",
        ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "2024-01-01", "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5", "<<", "=",
        // Indicators and structure.
        "-", "- ", "--", "---", "...", "?", "? ", ":", ": ", "a:", "#", " #", "# c", ",", "[", "]", "{", "}",
        "[a, b]", "{a: b}", "&a", "*a", "!", "!!str", "|", "|-", ">", ">+", "%YAML", "@", "`", "'", "''", "\"",
        "\\", "\\n", "\\\"", "\\u0041",
        // Whitespace and breaks.
        " ", "  ", "\t", "\n", "\n\n", "\r", "\r\n", " \n", "\n ", "\n  x", "\u{85}", "\u{2028}", "\u{2029}",
        // Control and special characters.
        "\u{0}", "\u{1}", "\u{7}", "\u{8}", "\u{B}", "\u{C}", "\u{1B}", "\u{1F}", "\u{7F}", "\u{80}", "\u{9F}",
        "\u{A0}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}", "\u{E000}", "\u{10FFFF}",
        // Ordinary text, non-ASCII included.
        "a", "b c", "key", "value", "name", "web-1", "nginx:1.25", "http://x.io/a#b", "--verbose", "-v",
        "1.2.3", "10Gi", "100m", "é", "日本語", "😀", "e\u{301}", "x", "z",
    ]

    /// A random string: sometimes one fragment alone, usually a few glued together.
    mutating func string() -> String {
        if chance(25) { return pick(RandomTree.fragments) }
        var result = ""
        for _ in 0..<int(1...4) { result += pick(RandomTree.fragments) }
        return result
    }

    /// A random mapping key: like ``string()`` but short.
    mutating func key() -> String {
        if chance(40) { return pick(RandomTree.fragments) }
        return pick(RandomTree.fragments) + pick(RandomTree.fragments)
    }
}

/// A compact, unambiguous rendering of a tree for failure messages:
/// strings in Swift literal form, numbers with their text.
func describeTree(_ node: Node) -> String {
    switch node.content {
    case .null: return "null"
    case .bool(let value): return String(value)
    case .number(let number): return "#\(number.text)"
    case .string(let string): return string.debugDescription
    case .sequence(let items): return "[" + items.map(describeTree).joined(separator: ", ") + "]"
    case .mapping(let mapping):
        return "{"
            + mapping.entries.map { "\($0.key.debugDescription): \(describeTree($0.value))" }
            .joined(separator: ", ") + "}"
    }
}

/// The tree with every number rewritten to ``Node/Number/yamlText``, the
/// form writers normalise numbers to (`0x1F` becomes `31`).
func normalizingNumbers(_ node: Node) -> Node {
    switch node.content {
    case .number(let number): return .number(Node.Number(number.yamlText) ?? number)
    case .sequence(let items): return .sequence(items.map(normalizingNumbers))
    case .mapping(var mapping):
        for index in mapping.indices { mapping[index].value = normalizingNumbers(mapping[index].value) }
        return .mapping(mapping)
    default: return node
    }
}
