import GiterCodec

/// How values appear in messages and how they compare: the helpers that
/// every part of validation shares. Each walks at most a bounded depth, so
/// no input can make them recurse without end.
enum FieldValue {
    /// Values longer than this are cut in messages.
    static let maxTextLength = 64

    /// `spec` + `replicas` → `spec.replicas`; the root has no leading dot.
    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// `spec.users` + 2 → `spec.users[2]`.
    static func element(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }

    /// Whether `path` is `ancestor` or a field inside it (`spec.door.code`
    /// in `spec.door`, `spec.users[2]` in `spec.users`); every path is in
    /// the root, `""`.
    static func isWithin(_ path: String, _ ancestor: String) -> Bool {
        guard !ancestor.isEmpty else { return true }
        guard path.hasPrefix(ancestor) else { return false }
        let rest = path.utf8.dropFirst(ancestor.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: ".") || rest.first == UInt8(ascii: "[")
    }

    /// A string in double quotes with JSON escapes, cut after ``maxTextLength`` characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == maxTextLength {
                result += "..."
                break
            }
            count += 1
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// The value as short JSON-ish text for a message: `-1`, `"x"`, `null`,
    /// `{"a":1}`; cut after about ``maxTextLength`` characters.
    static func text(_ node: Node) -> String {
        var output = ""
        render(node, into: &output, depth: 0, budget: maxTextLength, canonical: false)
        return output
    }

    /// A text that two values share exactly when they are equal as JSON
    /// values (mapping keys in any order; `1` and `1.0` equal), or `nil` when
    /// the value is nested deeper than `depthLimit`.
    static func canonical(_ node: Node, depthLimit: Int) -> String? {
        guard depth(of: node, limit: depthLimit) != nil else { return nil }
        var output = ""
        render(node, into: &output, depth: 0, budget: .max, canonical: true)
        return output
    }

    /// The depth of `node` (a scalar is 0), or `nil` past `limit`. Iterative.
    static func depth(of node: Node, limit: Int) -> Int? {
        var deepest = 0
        var stack: [(Node, Int)] = [(node, 0)]
        while let (current, level) = stack.popLast() {
            deepest = max(deepest, level)
            if level > limit { return nil }
            switch current.content {
            case .sequence(let items): stack += items.map { ($0, level + 1) }
            case .mapping(let mapping): stack += mapping.entries.map { ($0.value, level + 1) }
            default: break
            }
        }
        return deepest
    }

    /// The same value with no source locations, or `nil` when nested deeper than `depthLimit`.
    static func withoutLocations(_ node: Node, depthLimit: Int) -> Node? {
        guard depthLimit >= 0 else { return nil }
        switch node.content {
        case .sequence(let items):
            var copies: [Node] = []
            for item in items {
                guard let copy = withoutLocations(item, depthLimit: depthLimit - 1) else { return nil }
                copies.append(copy)
            }
            return .sequence(copies)
        case .mapping(let mapping):
            var copy = Node.Mapping()
            for entry in mapping.entries {
                guard let value = withoutLocations(entry.value, depthLimit: depthLimit - 1) else { return nil }
                copy.entries.append(Node.Mapping.Entry(key: entry.key, value: value))
            }
            return .mapping(copy)
        default:
            return Node(node.content)
        }
    }

    /// A number as it compares: integral values below 2^53 as integers, others as doubles.
    static func canonical(_ number: Node.Number) -> String {
        if number.isInteger, let integer = number.integer(as: Int64.self) { return String(integer) }
        let value = number.doubleValue
        if value.isFinite, value.rounded() == value, abs(value) < 0x1p53 { return String(Int64(value)) }
        return number.isInteger ? (number.jsonText ?? number.text) : String(value)
    }

    private static func render(_ node: Node, into output: inout String, depth: Int, budget: Int, canonical: Bool) {
        if !canonical, output.utf8.count > budget {
            return
        }
        switch node.content {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number): output += canonical ? Self.canonical(number) : number.text
        case .string(let text): output += canonical ? quotedWhole(text) : quoted(text)
        case .sequence(let items):
            guard depth < 4 || canonical else {
                output += "[...]"
                return
            }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                if !canonical, output.utf8.count > budget {
                    output += "..."
                    break
                }
                render(item, into: &output, depth: depth + 1, budget: budget, canonical: canonical)
            }
            output += "]"
        case .mapping(let mapping):
            guard depth < 4 || canonical else {
                output += "{...}"
                return
            }
            output += "{"
            let entries = canonical ? mapping.entries.sorted { $0.key < $1.key } : mapping.entries
            for (index, entry) in entries.enumerated() {
                if index > 0 { output += "," }
                if !canonical, output.utf8.count > budget {
                    output += "..."
                    break
                }
                output += canonical ? quotedWhole(entry.key) : quoted(entry.key)
                output += ":"
                render(entry.value, into: &output, depth: depth + 1, budget: budget, canonical: canonical)
            }
            output += "}"
        }
    }

    /// A string quoted without cutting, for comparisons.
    private static func quotedWhole(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
