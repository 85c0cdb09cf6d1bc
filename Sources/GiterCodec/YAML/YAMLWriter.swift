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
    /// The writer's state: the output buffer and the collections being
    /// written.
    ///
    /// The emitter is driven by events — ``beginMapping()``,
    /// ``beginSequence()``, ``key(_:)``, ``scalar(_:)``, ``end()`` — and
    /// holds every layout decision: where a value starts after `key:` or
    /// `- `, how deep it is indented, when a collection is compact. Both
    /// sources of documents feed it: a ``Node`` tree (``document(_:)``) and
    /// the encoder's tape (`EncodingTape`), so the two write the same text.
    struct Emitter {
        let options: Options
        var output: [UInt8] = []
        /// The open collections, innermost last.
        private var frames: [Frame] = []

        /// An open block collection.
        private struct Frame {
            /// The column of its keys or dashes.
            var indent: Int
            var isMapping: Bool
            /// Whether its next key or dash goes right after a `- ` already
            /// written (a compact collection in a sequence, before its first item).
            var continuesLine: Bool
        }

        /// A scalar, or an empty collection, which is written like one.
        /// Text is UTF-8, lent for the call.
        enum Scalar {
            case null
            case bool(Bool)
            /// The text of a ``Node/Number``.
            case number(UnsafeBufferPointer<UInt8>)
            case string(UnsafeBufferPointer<UInt8>)
            case emptySequence
            case emptyMapping
        }

        init(options: Options) {
            self.options = options
        }

        /// Writes one tree as a document.
        mutating func document(_ node: Node) {
            output.reserveCapacity(output.count + 1024)
            value(node)
        }

        /// Writes `node` as the next value: the document, a mapping's value
        /// after its ``key(_:)``, or a sequence's next item.
        mutating func value(_ node: Node) {
            switch node.content {
            case .null:
                scalar(.null)
            case .bool(let value):
                scalar(.bool(value))
            case .number(let number):
                var text = number.text
                text.withUTF8 { scalar(.number($0)) }
            case .string(var string):
                string.withUTF8 { scalar(.string($0)) }
            case .sequence(let items):
                guard !items.isEmpty else { return scalar(.emptySequence) }
                beginSequence()
                for item in items { value(item) }
                end()
            case .mapping(let mapping):
                guard !mapping.isEmpty else { return scalar(.emptyMapping) }
                beginMapping()
                if options.sortedKeys {
                    for entry in mapping.entries.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                        self.entry(entry)
                    }
                } else {
                    for entry in mapping.entries { self.entry(entry) }
                }
                end()
            }
        }

        private mutating func entry(_ entry: Node.Mapping.Entry) {
            var key = entry.key
            key.withUTF8 { self.key($0) }
            value(entry.value)
        }

        // MARK: Events

        /// Starts a mapping that has at least one entry, as the next value.
        mutating func beginMapping() {
            begin(isMapping: true)
        }

        /// Starts a sequence that has at least one item, as the next value.
        mutating func beginSequence() {
            begin(isMapping: false)
        }

        private mutating func begin(isMapping: Bool) {
            guard let parent = frames.last else {
                // The document: keys or dashes at column 0.
                frames.append(Frame(indent: 0, isMapping: isMapping, continuesLine: false))
                return
            }
            if parent.isMapping {
                // `key:` then the collection on the next lines: a mapping
                // indented by two, a sequence at the key's column unless
                // the options indent it.
                output.append(UInt8(ascii: "\n"))
                let indent =
                    isMapping || options.indentSequencesInMappings ? parent.indent + 2 : parent.indent
                frames.append(Frame(indent: indent, isMapping: isMapping, continuesLine: false))
            } else {
                // `- ` then the collection compact on the same line.
                dash()
                frames.append(Frame(indent: parent.indent + 2, isMapping: isMapping, continuesLine: true))
            }
        }

        /// Ends the innermost collection.
        mutating func end() {
            frames.removeLast()
        }

        /// Writes the key of the innermost mapping's next entry, then `:`.
        mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
            lineStart()
            switch YAMLWriter.style(for: bytes, isKey: true) {
            case .plain: output.append(contentsOf: bytes)
            case .singleQuoted: singleQuoted(bytes)
            case .doubleQuoted, .literal: doubleQuoted(bytes)
            }
            output.append(UInt8(ascii: ":"))
        }

        /// Writes a scalar (or an empty collection) as the next value, and
        /// the line break after it. Block scalar lines are indented two
        /// columns past the key or dash they belong to.
        mutating func scalar(_ scalar: Scalar) {
            guard let parent = frames.last else {
                write(scalar, indent: 0, isDocument: true)
                output.append(UInt8(ascii: "\n"))
                return
            }
            if parent.isMapping {
                output.append(UInt8(ascii: " "))
            } else {
                dash()
            }
            write(scalar, indent: parent.indent, isDocument: false)
            output.append(UInt8(ascii: "\n"))
        }

        /// The indentation of the innermost collection's next key or dash,
        /// unless it continues a line after `- `.
        private mutating func lineStart() {
            let last = frames.count - 1
            if frames[last].continuesLine {
                frames[last].continuesLine = false
            } else {
                spaces(frames[last].indent)
            }
        }

        /// The dash of the innermost sequence's next item.
        private mutating func dash() {
            lineStart()
            output.append(UInt8(ascii: "-"))
            output.append(UInt8(ascii: " "))
        }

        // MARK: Scalars

        /// A scalar or an empty collection, written after `key: `, `- ` or at
        /// the start of a document, without the final line break. Block
        /// scalar lines are indented to `indent + 2`.
        private mutating func write(_ scalar: Scalar, indent: Int, isDocument: Bool) {
            switch scalar {
            case .null:
                output.append(contentsOf: "null".utf8)
            case .bool(let value):
                output.append(contentsOf: value ? "true".utf8 : "false".utf8)
            case .number(let text):
                number(text)
            case .string(let bytes):
                string(bytes, indent: indent, isDocument: isDocument)
            case .emptySequence:
                output.append(UInt8(ascii: "["))
                output.append(UInt8(ascii: "]"))
            case .emptyMapping:
                output.append(UInt8(ascii: "{"))
                output.append(UInt8(ascii: "}"))
            }
        }

        private mutating func number(_ text: UnsafeBufferPointer<UInt8>) {
            if Emitter.isCanonicalInteger(text) {
                output.append(contentsOf: text)
            } else {
                output.append(contentsOf: Node.Number(validated: String(decoding: text, as: UTF8.self)).yamlText.utf8)
            }
        }

        /// Whether `text` is `-?(0|[1-9][0-9]*)`, which every reader reads as
        /// the same integer, so ``Node/Number/yamlText`` can be skipped.
        static func isCanonicalInteger(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            var digits = text[...]
            if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
            guard let first = digits.first, digits.count <= 18 else { return false }
            if first == UInt8(ascii: "0") && digits.count > 1 { return false }
            return digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }

        private mutating func string(_ bytes: UnsafeBufferPointer<UInt8>, indent: Int, isDocument: Bool) {
            switch YAMLWriter.style(for: bytes, isKey: false, allowsIndentationIndicator: !isDocument) {
            case .plain: output.append(contentsOf: bytes)
            case .singleQuoted: singleQuoted(bytes)
            case .doubleQuoted: doubleQuoted(bytes)
            case .literal(let indicator): literal(bytes, indent: indent + 2, indentationIndicator: indicator)
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
