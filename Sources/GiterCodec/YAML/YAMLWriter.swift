/// Writes ``Node`` trees as YAML text in the style `kubectl get -o yaml`
/// prints.
///
/// Mappings are block mappings (`key: value`) with nested mappings indented
/// by two spaces; sequences under a key start at the key's column
/// (`containers:` then `- name: a`) unless
/// ``Options-swift.struct/indentSequencesInMappings`` is set; mappings and
/// sequences inside sequences are compact (`- name: a`, `- - x`). Empty
/// collections are `{}` and `[]`, null is `null`, numbers use
/// ``Node/Number/yamlText``, and multi-line strings become literal block
/// scalars (`|`, `|-`, `|+`).
///
/// A string is written plain only when every common reader — YAML 1.2
/// core-schema readers such as Giter and go-yaml v3, and YAML 1.1 readers
/// such as PyYAML and go-yaml v2 — reads it back as the same string. Strings
/// that would read as another type (`no`, `on`, `1e3`, `0o17`, `017`,
/// `2024-01-01`, `12:30`, `~`, `""`) are double-quoted, as kubectl does;
/// strings that cannot be plain scalars (leading indicators, `: `, ` #`,
/// surrounding spaces) are single-quoted; strings with control characters
/// are double-quoted with escapes.
///
/// Output is deterministic: keys keep their order unless
/// ``Options-swift.struct/sortedKeys-swift.property`` is set.
///
/// ```swift
/// let node: Node = ["kind": "Job", "spec": ["args": ["--verbose", "no"]]]
/// YAMLWriter().write(node)
/// // kind: Job
/// // spec:
/// //   args:
/// //   - --verbose
/// //   - "no"
/// ```
///
/// Mapping keys longer than 1,024 characters are written like other keys,
/// but YAML readers only accept implicit keys up to that length.
public struct YAMLWriter: Sendable {
    /// How the output is laid out.
    public struct Options: Sendable, Hashable {
        /// Write mapping keys in UTF-8 byte order instead of their order in
        /// the node.
        public var sortedKeys: Bool
        /// Indent a sequence under its key by two spaces
        /// (`key:` then `  - a`) instead of starting it at the key's column.
        public var indentSequencesInMappings: Bool

        public init(sortedKeys: Bool = false, indentSequencesInMappings: Bool = false) {
            self.sortedKeys = sortedKeys
            self.indentSequencesInMappings = indentSequencesInMappings
        }

        /// Insertion order, sequences at their key's column: what kubectl prints.
        public static var `default`: Options { Options() }
        /// Keys in UTF-8 byte order.
        public static var sortedKeys: Options { Options(sortedKeys: true) }
    }

    /// The layout options.
    public var options: Options

    public init(options: Options = .default) {
        self.options = options
    }

    /// One document as YAML text, ending with a line break.
    public func write(_ node: Node) -> String {
        String(decoding: writeBytes(node), as: UTF8.self)
    }

    /// Several documents as one YAML stream, separated by `---` lines. No
    /// documents give empty text.
    public func write(documents: [Node]) -> String {
        String(decoding: writeBytes(documents: documents), as: UTF8.self)
    }

    /// One document as UTF-8 YAML text, ending with a line break.
    public func writeBytes(_ node: Node) -> [UInt8] {
        var output: [UInt8] = []
        append(node, to: &output)
        return output
    }

    /// Several documents as one UTF-8 YAML stream, separated by `---` lines.
    public func writeBytes(documents: [Node]) -> [UInt8] {
        var output: [UInt8] = []
        for (index, document) in documents.enumerated() {
            if index > 0 { output.append(contentsOf: "---\n".utf8) }
            append(document, to: &output)
        }
        return output
    }

    /// Appends one document, ending with a line break, to `output`.
    public func append(_ node: Node, to output: inout [UInt8]) {
        var emitter = Emitter(options: options)
        swap(&emitter.output, &output)  // lend the storage to the emitter without copying
        emitter.document(node)
        swap(&emitter.output, &output)
    }
}

extension YAMLWriter {
    /// The writer's state while it walks a tree: the output buffer.
    struct Emitter {
        let options: Options
        var output: [UInt8] = []

        init(options: Options) {
            self.options = options
        }

        mutating func document(_ node: Node) {
            output.reserveCapacity(output.count + 1024)
            switch node.content {
            case .mapping(let mapping) where !mapping.isEmpty:
                self.mapping(mapping, indent: 0, continuesLine: false)
            case .sequence(let items) where !items.isEmpty:
                sequence(items, indent: 0, continuesLine: false)
            default:
                scalar(node, indent: 0, isDocument: true)
                output.append(UInt8(ascii: "\n"))
            }
        }

        /// A block mapping whose keys sit at column `indent`. When
        /// `continuesLine`, the first key goes right after a `- ` already written.
        mutating func mapping(_ mapping: Node.Mapping, indent: Int, continuesLine: Bool) {
            if options.sortedKeys {
                let sorted = mapping.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                for (index, entry) in sorted.enumerated() {
                    self.entry(entry, indent: indent, continuesLine: continuesLine && index == 0)
                }
            } else {
                for (index, entry) in mapping.entries.enumerated() {
                    self.entry(entry, indent: indent, continuesLine: continuesLine && index == 0)
                }
            }
        }

        mutating func entry(_ entry: Node.Mapping.Entry, indent: Int, continuesLine: Bool) {
            if !continuesLine { spaces(indent) }
            key(entry.key)
            output.append(UInt8(ascii: ":"))
            switch entry.value.content {
            case .mapping(let mapping) where !mapping.isEmpty:
                output.append(UInt8(ascii: "\n"))
                self.mapping(mapping, indent: indent + 2, continuesLine: false)
            case .sequence(let items) where !items.isEmpty:
                output.append(UInt8(ascii: "\n"))
                let itemIndent = options.indentSequencesInMappings ? indent + 2 : indent
                sequence(items, indent: itemIndent, continuesLine: false)
            default:
                output.append(UInt8(ascii: " "))
                scalar(entry.value, indent: indent, isDocument: false)
                output.append(UInt8(ascii: "\n"))
            }
        }

        /// A block sequence whose dashes sit at column `indent`.
        mutating func sequence(_ items: [Node], indent: Int, continuesLine: Bool) {
            for (index, item) in items.enumerated() {
                if !continuesLine || index > 0 { spaces(indent) }
                output.append(UInt8(ascii: "-"))
                output.append(UInt8(ascii: " "))
                switch item.content {
                case .mapping(let mapping) where !mapping.isEmpty:
                    self.mapping(mapping, indent: indent + 2, continuesLine: true)
                case .sequence(let nested) where !nested.isEmpty:
                    sequence(nested, indent: indent + 2, continuesLine: true)
                default:
                    scalar(item, indent: indent, isDocument: false)
                    output.append(UInt8(ascii: "\n"))
                }
            }
        }

        /// A scalar or an empty collection, written after `key: `, `- ` or at
        /// the start of a document, without the final line break. Block
        /// scalar lines are indented to `indent + 2`.
        mutating func scalar(_ node: Node, indent: Int, isDocument: Bool) {
            switch node.content {
            case .null:
                output.append(contentsOf: "null".utf8)
            case .bool(let value):
                output.append(contentsOf: value ? "true".utf8 : "false".utf8)
            case .number(let number):
                self.number(number)
            case .string(let string):
                self.string(string, indent: indent, isDocument: isDocument)
            case .sequence:
                output.append(UInt8(ascii: "["))
                output.append(UInt8(ascii: "]"))
            case .mapping:
                output.append(UInt8(ascii: "{"))
                output.append(UInt8(ascii: "}"))
            }
        }

        mutating func number(_ number: Node.Number) {
            if Emitter.isCanonicalInteger(number.text) {
                output.append(contentsOf: number.text.utf8)
            } else {
                output.append(contentsOf: number.yamlText.utf8)
            }
        }

        /// Whether `text` is `-?(0|[1-9][0-9]*)`, which every reader reads as
        /// the same integer, so ``Node/Number/yamlText`` can be skipped.
        static func isCanonicalInteger(_ text: String) -> Bool {
            var digits = text.utf8[...]
            if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
            guard let first = digits.first, digits.count <= 18 else { return false }
            if first == UInt8(ascii: "0") && digits.count > 1 { return false }
            return digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }

        mutating func key(_ key: String) {
            var key = key
            key.withUTF8 { bytes in
                switch YAMLWriter.style(for: bytes, isKey: true) {
                case .plain: output.append(contentsOf: bytes)
                case .singleQuoted: singleQuoted(bytes)
                case .doubleQuoted, .literal: doubleQuoted(bytes)
                }
            }
        }

        mutating func string(_ string: String, indent: Int, isDocument: Bool) {
            var string = string
            string.withUTF8 { bytes in
                switch YAMLWriter.style(for: bytes, isKey: false, allowsIndentationIndicator: !isDocument) {
                case .plain: output.append(contentsOf: bytes)
                case .singleQuoted: singleQuoted(bytes)
                case .doubleQuoted: doubleQuoted(bytes)
                case .literal(let indicator): literal(bytes, indent: indent + 2, indentationIndicator: indicator)
                }
            }
        }

        @inline(__always) mutating func spaces(_ count: Int) {
            for _ in 0..<count { output.append(UInt8(ascii: " ")) }
        }
    }
}

// MARK: - Quoted and block scalars

extension YAMLWriter.Emitter {
    mutating func singleQuoted(_ bytes: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "'"))
        for byte in bytes {
            output.append(byte)
            if byte == UInt8(ascii: "'") { output.append(byte) }
        }
        output.append(UInt8(ascii: "'"))
    }

    /// A double-quoted scalar on one line: line breaks, controls, `"`, `\\`
    /// and the characters YAML 1.1 readers take as breaks or reject are escaped.
    mutating func doubleQuoted(_ bytes: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "\""))
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte >= 0x80 {
                let length = YAMLWriter.escapedSequenceLength(bytes, at: index)
                if length == 0 {
                    output.append(byte)
                    index += 1
                    continue
                }
                switch (byte, bytes[index + 1], length == 3 ? bytes[index + 2] : 0) {
                case (0xC2, 0x85, _): escape(UInt8(ascii: "N"))
                case (0xC2, let code, _): hexEscape(UInt8(ascii: "x"), UInt32(code), digits: 2)
                case (0xE2, _, 0xA8): escape(UInt8(ascii: "L"))
                case (0xE2, _, _): escape(UInt8(ascii: "P"))
                case (_, 0xBB, _): hexEscape(UInt8(ascii: "u"), 0xFEFF, digits: 4)
                case (_, _, let last): hexEscape(UInt8(ascii: "u"), last == 0xBE ? 0xFFFE : 0xFFFF, digits: 4)
                }
                index += length
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape(byte)
            case 0x00: escape(UInt8(ascii: "0"))
            case 0x07: escape(UInt8(ascii: "a"))
            case 0x08: escape(UInt8(ascii: "b"))
            case 0x09: escape(UInt8(ascii: "t"))
            case 0x0A: escape(UInt8(ascii: "n"))
            case 0x0B: escape(UInt8(ascii: "v"))
            case 0x0C: escape(UInt8(ascii: "f"))
            case 0x0D: escape(UInt8(ascii: "r"))
            case 0x1B: escape(UInt8(ascii: "e"))
            case 0x00..<0x20, 0x7F: hexEscape(UInt8(ascii: "x"), UInt32(byte), digits: 2)
            default: output.append(byte)
            }
            index += 1
        }
        output.append(UInt8(ascii: "\""))
    }

    @inline(__always) private mutating func escape(_ letter: UInt8) {
        output.append(UInt8(ascii: "\\"))
        output.append(letter)
    }

    private mutating func hexEscape(_ letter: UInt8, _ value: UInt32, digits: Int) {
        escape(letter)
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let digit = UInt8((value >> UInt32(shift)) & 0xF)
            output.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "A") + digit - 10)
        }
    }

    /// A literal block scalar whose lines are indented to `indent`, with the
    /// chomping indicator that keeps the trailing line breaks exactly. Empty
    /// lines are written without indentation.
    mutating func literal(_ bytes: UnsafeBufferPointer<UInt8>, indent: Int, indentationIndicator: Bool) {
        var trailingBreaks = 0
        while trailingBreaks < bytes.count, bytes[bytes.count - 1 - trailingBreaks] == UInt8(ascii: "\n") {
            trailingBreaks += 1
        }
        output.append(UInt8(ascii: "|"))
        if indentationIndicator { output.append(UInt8(ascii: "2")) }
        switch trailingBreaks {
        case 0: output.append(UInt8(ascii: "-"))
        case 1: break
        default: output.append(UInt8(ascii: "+"))
        }
        // Every line but the empty one after the final break.
        let contentEnd = bytes.count - min(trailingBreaks, 1)
        var lineStart = 0
        while true {
            var lineEnd = lineStart
            while lineEnd < contentEnd, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            output.append(UInt8(ascii: "\n"))
            if lineEnd > lineStart {
                spaces(indent)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]))
            }
            if lineEnd >= contentEnd { break }
            lineStart = lineEnd + 1
        }
    }
}
