import GiterCodec

/// A kubectl JSONPath template, as `giter get -o jsonpath=…` takes it: text
/// with expressions in braces, `{.metadata.name}{"\n"}`.
///
/// The subset kubectl documents: `$` (the root), `@` and a leading `.` (the
/// current object), `.name` and `['name']` children, `..name` recursive
/// descent, `*` and `[*]` wildcards, `[n]` and `[-n]` indices,
/// `[start:end:step]` slices, `[a,b]` unions, `[?(@.field == "value")]`
/// filters (`==`, `!=`, `<`, `<=`, `>`, `>=`, or `[?(@.field)]` for
/// existence), `{range PATH}…{end}` loops and `{"text"}` literals with `\n`,
/// `\t`, `\"` and `\\` escapes. As kubectl does with its default
/// `--allow-missing-template-keys`, a path that finds nothing prints
/// nothing. Several results of one expression are separated by a space;
/// strings print as they are, numbers as written, mappings and sequences
/// as compact JSON.
struct JSONPathTemplate: Sendable {
    /// What went wrong in a template, and where (1-based column).
    struct ParseError: Error, CustomStringConvertible {
        var column: Int
        var message: String
        var description: String { "column \(column): \(message)" }
    }

    indirect enum Piece: Sendable {
        case text(String)
        case path(JSONPath)
        case range(JSONPath, [Piece])
    }

    let pieces: [Piece]

    /// How deep `{range}` loops, and filters inside filters, may nest: the
    /// evaluation recurses that deep.
    static let maxNesting = 32

    /// Parses `text`.
    ///
    /// - Throws: ``ParseError`` with the column of the problem.
    init(parsing text: String) throws(ParseError) {
        let characters = Array(text)
        var index = 0
        // Each open `{range}`: its path, the pieces before it, and its column.
        var stack: [(path: JSONPath, before: [Piece], column: Int)] = []
        var pieces: [Piece] = []
        var literal = ""
        while index < characters.count {
            let character = characters[index]
            guard character == "{" else {
                literal.append(character)
                index += 1
                continue
            }
            if !literal.isEmpty {
                pieces.append(.text(literal))
                literal = ""
            }
            let start = index
            guard let close = Self.closingBrace(characters, from: index + 1) else {
                throw ParseError(column: start + 1, message: "'{' is not closed by '}'")
            }
            let inner = trimmingSpaces(String(characters[(index + 1)..<close]))
            index = close + 1
            if inner == "end" {
                guard let open = stack.popLast() else {
                    throw ParseError(column: start + 1, message: "{end} without {range …}")
                }
                pieces = open.before + [.range(open.path, pieces)]
            } else if inner.hasPrefix("range ") || inner == "range" {
                guard stack.count < Self.maxNesting else {
                    throw ParseError(column: start + 1, message: "more than \(Self.maxNesting) nested {range …}")
                }
                let path = try JSONPath(parsing: String(inner.dropFirst(5)), column: start + 7)
                stack.append((path, pieces, start + 1))
                pieces = []
            } else if inner.first == "\"" {
                pieces.append(.text(try Self.stringLiteral(inner, column: start + 2)))
            } else {
                pieces.append(.path(try JSONPath(parsing: inner, column: start + 2)))
            }
        }
        if let open = stack.last {
            throw ParseError(column: open.column, message: "{range …} is not closed by {end}")
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        self.pieces = pieces
    }

    /// The template applied to `root`.
    func render(_ root: Node) -> String {
        var output = ""
        Self.render(pieces, root: root, current: root, into: &output)
        return output
    }

    private static func render(_ pieces: [Piece], root: Node, current: Node, into output: inout String) {
        for piece in pieces {
            switch piece {
            case .text(let text): output += text
            case .path(let path):
                output += path.evaluate(root: root, current: current).map(Self.text).joined(separator: " ")
            case .range(let path, let body):
                for item in path.evaluate(root: root, current: current) {
                    render(body, root: root, current: item, into: &output)
                }
            }
        }
    }

    /// A result as kubectl prints it: strings bare, collections as JSON.
    static func text(_ node: Node) -> String {
        switch node.content {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let number): number.description
        case .string(let string): string
        case .sequence, .mapping: (try? JSONWriter().write(node)) ?? ""
        }
    }

    /// The index of the `}` that closes an expression starting at `from`,
    /// skipping quoted strings.
    private static func closingBrace(_ characters: [Character], from: Int) -> Int? {
        var index = from
        var quote: Character?
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                if character == "\\" {
                    index += 1
                } else if character == open {
                    quote = nil
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "}" {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The text of a `"…"` literal, its escapes resolved.
    static func stringLiteral(_ literal: String, column: Int) throws(ParseError) -> String {
        let characters = Array(literal)
        guard characters.count >= 2, let quote = characters.first, characters.last == quote else {
            throw ParseError(column: column, message: "the string \(literal) is not closed")
        }
        var result = ""
        var index = 1
        while index < characters.count - 1 {
            var character = characters[index]
            if character == "\\" {
                index += 1
                guard index < characters.count - 1 else {
                    throw ParseError(column: column + index, message: "a '\\' ends the string")
                }
                switch characters[index] {
                case "n": character = "\n"
                case "t": character = "\t"
                case "r": character = "\r"
                case "\\", "\"", "'": character = characters[index]
                default:
                    throw ParseError(
                        column: column + index - 1,
                        message: "unknown escape '\\\(characters[index])'; use \\n, \\t, \\r, \\\\ or \\\""
                    )
                }
            }
            result.append(character)
            index += 1
        }
        return result
    }
}

/// One JSONPath expression: a start (`$` or the current object) and steps.
struct JSONPath: Sendable {
    enum Step: Sendable {
        /// A child by name; `*` for every child.
        case child(String)
        case wildcard
        /// Every descendant (and the node itself), then the next step on each.
        case descendants
        case indices([Int])
        case slice(start: Int?, end: Int?, step: Int)
        case names([String])
        case filter(Filter)
    }

    struct Filter: Sendable {
        var path: JSONPath
        /// `nil`: the path exists.
        var comparison: (operation: String, value: Node)?
    }

    var fromRoot: Bool
    var steps: [Step]

    /// Parses an expression; `column` is where it starts in the template, for errors.
    init(parsing text: String, column: Int) throws(JSONPathTemplate.ParseError) {
        var scanner = PathScanner(characters: Array(trimmingSpaces(text)), column: column)
        self = try scanner.path()
        guard scanner.atEnd else {
            throw scanner.error("unexpected '\(scanner.characters[scanner.index])' in the path '\(text)'")
        }
    }

    init(fromRoot: Bool, steps: [Step]) {
        self.fromRoot = fromRoot
        self.steps = steps
    }

    /// The nodes the path finds, in document order.
    func evaluate(root: Node, current: Node) -> [Node] {
        var nodes = [fromRoot ? root : current]
        var index = 0
        while index < steps.count {
            let step = steps[index]
            index += 1
            var next: [Node] = []
            for node in nodes {
                switch step {
                case .child(let name):
                    if let value = node.mapping?[name] { next.append(value) }
                case .wildcard:
                    next += Self.children(of: node)
                case .descendants:
                    Self.collect(node, into: &next)
                case .indices(let indices):
                    guard let items = node.sequence else { continue }
                    for index in indices {
                        let resolved = index < 0 ? items.count + index : index
                        if items.indices.contains(resolved) { next.append(items[resolved]) }
                    }
                case .slice(let start, let end, let step):
                    guard let items = node.sequence, step > 0 else { continue }
                    let count = items.count
                    func clamp(_ value: Int) -> Int { min(max(value < 0 ? count + value : value, 0), count) }
                    var at = clamp(start ?? 0)
                    let stop = clamp(end ?? count)
                    while at < stop {
                        next.append(items[at])
                        at += step
                    }
                case .names(let names):
                    for name in names { if let value = node.mapping?[name] { next.append(value) } }
                case .filter(let filter):
                    let candidates = node.sequence ?? (node.mapping.map { _ in [node] } ?? [])
                    next += candidates.filter { filter.matches($0, root: root) }
                }
            }
            nodes = next
        }
        return nodes
    }

    private static func children(of node: Node) -> [Node] {
        if let items = node.sequence { return items }
        if let mapping = node.mapping { return mapping.entries.map(\.value) }
        return []
    }

    /// `node` and everything under it, parents first.
    private static func collect(_ node: Node, into result: inout [Node]) {
        result.append(node)
        for child in children(of: node) { collect(child, into: &result) }
    }
}

extension JSONPath.Filter {
    func matches(_ node: Node, root: Node) -> Bool {
        let found = path.evaluate(root: root, current: node)
        guard let comparison else { return !found.isEmpty }
        return found.contains { Self.compare($0, comparison.operation, comparison.value) }
    }

    private static func compare(_ left: Node, _ operation: String, _ right: Node) -> Bool {
        let order: Int?
        switch (left.content, right.content) {
        case (.number(let a), .number(let b)):
            if let x = Double(a.description), let y = Double(b.description) {
                order = x < y ? -1 : (x > y ? 1 : 0)
            } else {
                order = nil
            }
        case (.string(let a), .string(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.bool(let a), .bool(let b)): order = a == b ? 0 : nil
        case (.null, .null): order = 0
        default: order = nil
        }
        switch operation {
        case "==": return order == 0
        case "!=": return order != 0
        case "<": return order.map { $0 < 0 } ?? false
        case "<=": return order.map { $0 <= 0 } ?? false
        case ">": return order.map { $0 > 0 } ?? false
        case ">=": return order.map { $0 >= 0 } ?? false
        default: return false
        }
    }
}

/// `text` without the spaces at its ends.
private func trimmingSpaces(_ text: String) -> String {
    String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
}

/// Reads a path character by character.
private struct PathScanner {
    let characters: [Character]
    var index = 0
    /// The template column of `characters[0]`.
    let column: Int
    /// How many filters the scanner is inside.
    var depth = 0

    init(characters: [Character], column: Int) {
        self.characters = characters
        self.column = column
    }

    var atEnd: Bool { index >= characters.count }
    var peek: Character? { atEnd ? nil : characters[index] }

    func error(_ message: String) -> JSONPathTemplate.ParseError {
        JSONPathTemplate.ParseError(column: column + index, message: message)
    }

    mutating func skipSpaces() {
        while peek == " " { index += 1 }
    }

    /// A path, up to a character that cannot continue it.
    mutating func path() throws(JSONPathTemplate.ParseError) -> JSONPath {
        var fromRoot = false
        if peek == "$" {
            fromRoot = true
            index += 1
        } else if peek == "@" {
            index += 1
        }
        var steps: [JSONPath.Step] = []
        while let character = peek {
            if character == "." {
                index += 1
                if peek == "." {
                    index += 1
                    steps.append(.descendants)
                    if peek == "[" { continue }
                }
                if peek == "*" {
                    index += 1
                    steps.append(.wildcard)
                    continue
                }
                let name = self.name()
                if name.isEmpty {
                    // `.` alone, or `..` followed by a bracket: the current object.
                    if atEnd || peek == " " || peek == ")" { break }
                    throw error("expected a field name after '.'")
                }
                steps.append(.child(name))
            } else if character == "[" {
                steps.append(try bracket())
            } else if steps.isEmpty && isNameCharacter(character) {
                // kubectl's relaxed form: `metadata.name` means `.metadata.name`.
                steps.append(.child(name()))
            } else {
                break
            }
        }
        return JSONPath(fromRoot: fromRoot, steps: steps)
    }

    private func isNameCharacter(_ character: Character) -> Bool {
        !" .[]()'\"=!<>,{}@$*".contains(character)
    }

    private mutating func name() -> String {
        var name = ""
        while let character = peek, isNameCharacter(character) {
            name.append(character)
            index += 1
        }
        return name
    }

    /// `[…]`: an index, slice, union, quoted names, wildcard or filter.
    private mutating func bracket() throws(JSONPathTemplate.ParseError) -> JSONPath.Step {
        let open = index
        index += 1
        skipSpaces()
        if peek == "*" {
            index += 1
            try expect("]")
            return .wildcard
        }
        if peek == "?" {
            guard depth < JSONPathTemplate.maxNesting else {
                throw error("more than \(JSONPathTemplate.maxNesting) filters inside each other")
            }
            depth += 1
            defer { depth -= 1 }
            index += 1
            try expect("(")
            skipSpaces()
            guard peek == "@" || peek == "$" else {
                throw error("a filter starts with @, as in [?(@.type==\"Ready\")]")
            }
            let path = try self.path()
            skipSpaces()
            var comparison: (String, Node)?
            if let first = peek, "=!<>".contains(first) {
                var operation = String(first)
                index += 1
                if peek == "=" {
                    operation.append("=")
                    index += 1
                }
                guard ["==", "!=", "<", "<=", ">", ">="].contains(operation) else {
                    throw error("unknown operator '\(operation)'; use ==, !=, <, <=, > or >=")
                }
                skipSpaces()
                comparison = (operation, try literal())
                skipSpaces()
            }
            try expect(")")
            try expect("]")
            return .filter(JSONPath.Filter(path: path, comparison: comparison))
        }
        if peek == "'" || peek == "\"" {
            var names: [String] = []
            while true {
                skipSpaces()
                guard case .string(let name) = try literal().content else { throw error("expected a quoted name") }
                names.append(name)
                skipSpaces()
                if peek == "," {
                    index += 1
                    continue
                }
                try expect("]")
                return .names(names)
            }
        }
        // Numbers: an index, a union of indices or a slice.
        var parts: [String] = [""]
        var separator: Character?
        while let character = peek, character != "]" {
            if character == ":" || character == "," {
                if separator != nil && separator != character { throw error("mix of ':' and ',' in brackets") }
                separator = character
                parts.append("")
            } else if character.isNumber || character == "-" {
                parts[parts.count - 1].append(character)
            } else if character != " " {
                throw error(
                    "unexpected '\(character)' in brackets; expected an index, a slice, '*', a quoted name or a filter"
                )
            }
            index += 1
        }
        guard peek == "]" else {
            index = open
            throw error("'[' is not closed by ']'")
        }
        index += 1
        func number(_ text: String) throws(JSONPathTemplate.ParseError) -> Int? {
            if text.isEmpty { return nil }
            guard let value = Int(text) else { throw error("'\(text)' is not an index") }
            return value
        }
        if separator == ":" {
            guard parts.count <= 3 else { throw error("a slice is [start:end] or [start:end:step]") }
            let step = parts.count == 3 ? try number(parts[2]) ?? 1 : 1
            guard step > 0 else { throw error("a slice's step must be positive") }
            return .slice(start: try number(parts[0]), end: try number(parts[1]), step: step)
        }
        var indices: [Int] = []
        for part in parts {
            guard let value = try number(part) else { throw error("an empty index in brackets") }
            indices.append(value)
        }
        return .indices(indices)
    }

    /// A quoted string, a number, `true`, `false` or `null`.
    private mutating func literal() throws(JSONPathTemplate.ParseError) -> Node {
        guard let first = peek else { throw error("expected a value") }
        if first == "\"" || first == "'" {
            let start = index
            index += 1
            while let character = peek, character != first {
                index += character == "\\" ? 2 : 1
            }
            guard peek == first else {
                index = start
                throw error("the string is not closed")
            }
            index += 1
            let text = String(characters[start..<index])
            return .string(try JSONPathTemplate.stringLiteral(text, column: column + start))
        }
        var word = ""
        while let character = peek, !" )]".contains(character) {
            word.append(character)
            index += 1
        }
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
            guard Double(word) != nil, let node = try? JSONReader().read(word), case .number = node.content else {
                throw error("'\(word)' is not a value; quote strings, as in \"Ready\"")
            }
            return node
        }
    }

    private mutating func expect(_ character: Character) throws(JSONPathTemplate.ParseError) {
        skipSpaces()
        guard peek == character else { throw error("expected '\(character)'") }
        index += 1
    }
}
