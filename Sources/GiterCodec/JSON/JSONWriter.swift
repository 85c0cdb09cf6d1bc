/// Writes ``Node`` trees as JSON text.
///
/// Output is deterministic: mapping entries keep their order unless
/// ``Options/sortedKeys`` is set, and the same tree always gives the same
/// bytes. There is no trailing line break.
///
/// - Strings escape `"`, `\` and control characters (`\b`, `\f`, `\n`,
///   `\r`, `\t`, others as `\u00XX`); `/` and non-ASCII characters are
///   written as they are.
/// - Numbers whose text is already in JSON's grammar are written as they
///   are, so `-0` or `1E400` survive a read–write round trip unchanged;
///   other numbers (`0x1F`, `+1`, `.5`) are written as their
///   ``Node/Number/jsonText``. `.inf`, `-.inf` and `.nan` have no JSON form
///   and make the writer throw ``CodecError/Code/invalidValue``.
///
/// ```swift
/// let text = try JSONWriter(options: .pretty).write(["kind": "Job", "spec": ["replicas": 3]])
/// // {
/// //   "kind": "Job",
/// //   "spec": {
/// //     "replicas": 3
/// //   }
/// // }
/// ```
public struct JSONWriter: Sendable {
    /// How the output is laid out.
    public struct Options: Sendable, Hashable {
        /// Whether to write one member per line, indented by two spaces,
        /// with `"key": value`, the way `kubectl get -o json` prints. When
        /// `false`, the output is one line without spaces.
        public var pretty: Bool
        /// Whether to sort mapping keys by their UTF-8 bytes instead of
        /// keeping their order.
        public var sortedKeys: Bool

        public init(pretty: Bool = false, sortedKeys: Bool = false) {
            self.pretty = pretty
            self.sortedKeys = sortedKeys
        }

        /// One line, no spaces, keys in order.
        public static var compact: Options { Options() }
        /// Two-space indentation, keys in order.
        public static var pretty: Options { Options(pretty: true) }
    }

    /// The layout options.
    public var options: Options

    /// A writer with the given options.
    public init(options: Options = .init()) {
        self.options = options
    }

    /// The JSON text of `node`.
    ///
    /// - Throws: ``CodecError`` with code ``CodecError/Code/invalidValue``
    ///   when the tree holds an infinite or NaN number.
    public func write(_ node: Node) throws -> String {
        String(decoding: try writeBytes(node), as: UTF8.self)
    }

    /// The JSON text of `node` as UTF-8 bytes.
    ///
    /// - Throws: ``CodecError`` with code ``CodecError/Code/invalidValue``
    ///   when the tree holds an infinite or NaN number.
    public func writeBytes(_ node: Node) throws -> [UInt8] {
        var emitter = Emitter(options: options)
        try emitter.write(node)
        return emitter.output
    }
}

extension JSONWriter {
    /// Appends JSON text to a byte buffer.
    ///
    /// Driven by events — `begin(isMapping:)`, `key(_:)`, a value,
    /// `end()` — it holds every layout decision (commas, line breaks,
    /// indentation, `{}` for an empty collection), for both sources of
    /// documents: a ``Node`` tree (``write(_:)``) and the encoder's tape.
    struct Emitter {
        let options: Options
        var output: [UInt8] = []
        /// The open collections, innermost last.
        private var frames: [Frame] = []

        private struct Frame {
            let isMapping: Bool
            /// Members or items written so far.
            var count = 0
        }

        init(options: Options) {
            self.options = options
            output.reserveCapacity(1024)
        }

        /// Writes `node` as the next value.
        mutating func write(_ node: Node) throws(CodecError) {
            switch node.content {
            case .null:
                scalar(.null)
            case .bool(let value):
                scalar(.bool(value))
            case .number(let number):
                valueStart()
                try writeNumber(number.text, location: node.location)
            case .string(let string):
                valueStart()
                writeString(string)
            case .sequence(let items):
                begin(isMapping: false)
                for item in items { try write(item) }
                end()
            case .mapping(let mapping):
                begin(isMapping: true)
                let entries =
                    options.sortedKeys
                    ? mapping.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : mapping.entries
                for entry in entries {
                    key(entry.key)
                    try write(entry.value)
                }
                end()
            }
        }

        // MARK: Events

        /// Opens a collection as the next value.
        mutating func begin(isMapping: Bool) {
            valueStart()
            output.append(isMapping ? UInt8(ascii: "{") : UInt8(ascii: "["))
            frames.append(Frame(isMapping: isMapping))
        }

        /// Closes the innermost collection.
        mutating func end() {
            let closed = frames.removeLast()
            if closed.count > 0 { newLine(depth: frames.count) }
            output.append(closed.isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }

        /// The next member's key, and the `:` after it.
        mutating func key(_ key: String) {
            member()
            writeString(key)
            output.append(UInt8(ascii: ":"))
            if options.pretty { output.append(UInt8(ascii: " ")) }
        }

        /// The next member's key, as UTF-8.
        mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
            member()
            output.append(UInt8(ascii: "\""))
            appendEscaped(bytes)
            output.append(UInt8(ascii: "\""))
            output.append(UInt8(ascii: ":"))
            if options.pretty { output.append(UInt8(ascii: " ")) }
        }

        /// A null or boolean as the next value.
        mutating func scalar(_ scalar: Scalar) {
            valueStart()
            switch scalar {
            case .null: output.append(contentsOf: "null".utf8)
            case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
            }
        }

        enum Scalar {
            case null
            case bool(Bool)
        }

        /// A number's text as the next value.
        mutating func number(_ text: UnsafeBufferPointer<UInt8>) throws(CodecError) {
            valueStart()
            try writeNumber(String(decoding: text, as: UTF8.self), location: nil)
        }

        /// A string as the next value, as UTF-8.
        mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) {
            valueStart()
            output.append(UInt8(ascii: "\""))
            appendEscaped(bytes)
            output.append(UInt8(ascii: "\""))
        }

        /// Before an item of a sequence: its comma and line break. A
        /// member's value follows its key at once.
        private mutating func valueStart() {
            guard let last = frames.indices.last, !frames[last].isMapping else { return }
            if frames[last].count > 0 { output.append(UInt8(ascii: ",")) }
            frames[last].count += 1
            newLine(depth: frames.count)
        }

        /// Before a member of a mapping: its comma and line break.
        private mutating func member() {
            let last = frames.count - 1
            if frames[last].count > 0 { output.append(UInt8(ascii: ",")) }
            frames[last].count += 1
            newLine(depth: frames.count)
        }

        private mutating func newLine(depth: Int) {
            guard options.pretty else { return }
            output.append(0x0A)
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
        }

        /// A number's text (``Node/Number/text``): as it is when it is in
        /// JSON's grammar, else its ``Node/Number/jsonText``.
        private mutating func writeNumber(_ number: String, location: SourceLocation?) throws(CodecError) {
            if JSONWriter.isJSONNumber(number.utf8) {
                output.append(contentsOf: number.utf8)
                return
            }
            guard let text = Node.Number(validated: number).jsonText else {
                throw CodecError(
                    .invalidValue,
                    "JSON cannot represent \(number); use a finite number, or encode the value as a string",
                    at: location
                )
            }
            output.append(contentsOf: text.utf8)
        }

        private mutating func writeString(_ string: String) {
            output.append(UInt8(ascii: "\""))
            let done: Void? = string.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
            if done == nil { Array(string.utf8).withUnsafeBufferPointer { appendEscaped($0) } }
            output.append(UInt8(ascii: "\""))
        }

        /// Appends `bytes` with JSON escapes, copying unescaped runs whole.
        private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
            var runStart = 0
            var index = 0
            while true {
                index = JSONWriter.firstByteToEscape(in: bytes, from: index)
                guard index < bytes.count else { break }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                case 0x0A: output.append(contentsOf: #"\n"#.utf8)
                case 0x0D: output.append(contentsOf: #"\r"#.utf8)
                case 0x09: output.append(contentsOf: #"\t"#.utf8)
                default:
                    output.append(contentsOf: #"\u00"#.utf8)
                    output.append(JSONWriter.hexDigits[Int(byte >> 4)])
                    output.append(JSONWriter.hexDigits[Int(byte & 0x0F)])
                }
                index += 1
                runStart = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
    }

    /// The offset of the first byte at or after `start` that JSON needs
    /// escaped (`"`, `\`, below 0x20), or `bytes.count`. Tests eight bytes
    /// at a time.
    private static func firstByteToEscape(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        let end = bytes.count
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let high: UInt64 = 0x8080_8080_8080_8080
            while index + 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                // High bit set in each byte that is a quote, a backslash or
                // below 0x20; borrows only mark bytes above a marked one.
                let special =
                    ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word)
                    & high
                if special != 0 { return index + special.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < end {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        return index
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Whether `text` follows JSON's number grammar:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [-+]? [0-9]+)?`.
    static func isJSONNumber(_ text: String.UTF8View) -> Bool {
        var index = text.startIndex
        let end = text.endIndex
        func isDigit(_ index: String.UTF8View.Index) -> Bool {
            index < end && text[index] &- UInt8(ascii: "0") < 10
        }
        func skipDigits(_ index: inout String.UTF8View.Index) -> Bool {
            guard isDigit(index) else { return false }
            while isDigit(index) { text.formIndex(after: &index) }
            return true
        }
        if index < end && text[index] == UInt8(ascii: "-") { text.formIndex(after: &index) }
        if index < end && text[index] == UInt8(ascii: "0") {
            text.formIndex(after: &index)
        } else if !skipDigits(&index) {
            return false
        }
        if index < end && text[index] == UInt8(ascii: ".") {
            text.formIndex(after: &index)
            guard skipDigits(&index) else { return false }
        }
        if index < end && text[index] | 0x20 == UInt8(ascii: "e") {
            text.formIndex(after: &index)
            if index < end && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
                text.formIndex(after: &index)
            }
            guard skipDigits(&index) else { return false }
        }
        return index == end
    }
}
