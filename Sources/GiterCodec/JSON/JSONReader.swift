/// Reads strict JSON (RFC 8259) text into ``Node`` trees.
///
/// The reader accepts exactly the JSON grammar and reports everything else as
/// a ``CodecError`` with the line and column where the problem starts:
/// trailing commas, leading zeros, `+1`, `NaN` and `Infinity`, single quotes,
/// comments, unescaped control characters, invalid escapes, invalid UTF-8 and
/// anything after the value.
///
/// Choices where RFC 8259 leaves room:
/// - **Duplicate keys** in an object are an error
///   (``CodecError/Code/duplicateKey``): two parsers that keep different
///   values of one key would read different documents. Keys are compared as
///   Swift strings (canonical equivalence), the way ``Node/Mapping`` looks
///   them up.
/// - **Lone surrogate escapes** (`"\uD800"`, a high surrogate not followed
///   by a low one, or a low surrogate alone) are an error
///   (``CodecError/Code/invalidEncoding``): a Swift `String` cannot hold
///   them, and replacing them silently would change the data.
/// - **A UTF-8 byte order mark** at the very start is skipped. Locations
///   still count its three bytes in ``SourceLocation/offset`` but not in the
///   column.
/// - **Numbers** are kept as their text (``Node/Number``), so big integers
///   and long fractions lose nothing; their size is not limited.
///
/// Nesting deeper than ``ParseLimits/maxDepth`` and input larger than
/// ``ParseLimits/maxInputBytes`` are ``CodecError/Code/limitExceeded``
/// errors. Parsing does not recurse, so no limit setting can overflow the
/// stack.
///
/// ```swift
/// let node = try JSONReader().read(#"{"kind": "Job", "spec": {"replicas": 3}}"#)
/// node["spec"]?["replicas"]?.number?.integer(as: Int.self)  // 3
/// ```
public struct JSONReader: Sendable {
    /// The limits applied to every input.
    public var limits: ParseLimits

    /// A reader with the given limits.
    public init(limits: ParseLimits = .default) {
        self.limits = limits
    }

    /// Reads one JSON text. Whitespace may surround the value; anything else
    /// after it is an error.
    public func read(_ text: String) throws -> Node {
        var text = text
        text.makeContiguousUTF8()
        let kept = text
        return try text.withUTF8 { try read(buffer: $0, text: TapeDocument.text(of: kept, start: 0)) }
    }

    /// Reads one JSON text from UTF-8 bytes. Whitespace may surround the
    /// value; anything else after it is an error.
    public func read(_ bytes: [UInt8]) throws -> Node {
        try bytes.withUnsafeBufferPointer { try read(buffer: $0, text: .bytes(bytes, start: 0)) }
    }

    /// Reads zero or more JSON texts separated by whitespace, such as JSON
    /// Lines. Empty or all-whitespace input gives no nodes. At most
    /// ``ParseLimits/maxDocuments`` texts are accepted.
    public func readStream(_ text: String) throws -> [Node] {
        var text = text
        text.makeContiguousUTF8()
        let kept = text
        return try text.withUTF8 { try readStream(buffer: $0, text: TapeDocument.text(of: kept, start: 0)) }
    }

    /// Reads zero or more JSON texts separated by whitespace from UTF-8
    /// bytes, such as JSON Lines. Empty or all-whitespace input gives no nodes.
    public func readStream(_ bytes: [UInt8]) throws -> [Node] {
        try bytes.withUnsafeBufferPointer { try readStream(buffer: $0, text: .bytes(bytes, start: 0)) }
    }

    // MARK: Buffers

    /// Reads `buffer`, the bytes of `text`, into a node that is a view of them.
    private func read(buffer: UnsafeBufferPointer<UInt8>, text: TapeDocument.Text) throws(CodecError) -> Node {
        let tape = try readTape(buffer: buffer, stream: false)
        return Node(tape: Self.document(tape, buffer: buffer, text: text), index: tape.roots[0])
    }

    private func readStream(buffer: UnsafeBufferPointer<UInt8>, text: TapeDocument.Text) throws(CodecError) -> [Node] {
        let tape = try readTape(buffer: buffer, stream: true)
        let document = Self.document(tape, buffer: buffer, text: text)
        return tape.roots.map { Node(tape: document, index: $0) }
    }

    /// The storage the nodes of `tape`, read from `buffer` (the bytes of `text`), share.
    private static func document(
        _ tape: DocumentTape, buffer: UnsafeBufferPointer<UInt8>, text: TapeDocument.Text
    ) -> TapeDocument {
        let locator = TapeLocator.json(buffer)
        return TapeDocument(tape: tape, text: text, lineBreaks: .any, firstLineStart: locator.firstLineStart)
    }

    /// Parses one JSON text (`stream` false) or zero or more texts
    /// separated by whitespace (`stream` true) into a tape with a root per text.
    func readTape(buffer: UnsafeBufferPointer<UInt8>, stream: Bool) throws(CodecError) -> DocumentTape {
        try checkSize(buffer)
        var tape = DocumentTape(inputBytes: buffer.count)
        var parser = Parser(buffer, limits: limits)
        guard stream else {
            parser.skipWhitespace()
            guard !parser.atEnd else {
                throw parser.error(.syntax, "empty input; expected a JSON value")
            }
            tape.beginDocument()
            try parser.parseValue(into: &tape)
            parser.skipWhitespace()
            guard parser.atEnd else {
                throw parser.error(
                    .syntax,
                    "unexpected \(parser.describeByte(at: parser.position)) after the JSON value; expected end of input"
                )
            }
            return tape
        }
        while true {
            let before = parser.position
            parser.skipWhitespace()
            if parser.atEnd { return tape }
            if !tape.roots.isEmpty && parser.position == before {
                throw parser.error(
                    .syntax,
                    "unexpected \(parser.describeByte(at: parser.position)) after a JSON value; "
                        + "expected whitespace or a line break between JSON texts"
                )
            }
            guard tape.roots.count < limits.maxDocuments else {
                throw parser.error(
                    .limitExceeded,
                    "more than \(limits.maxDocuments) JSON texts; raise ParseLimits.maxDocuments"
                )
            }
            tape.beginDocument()
            try parser.parseValue(into: &tape)
        }
    }

    private func checkSize(_ buffer: UnsafeBufferPointer<UInt8>) throws(CodecError) {
        guard buffer.count <= limits.maxInputBytes else {
            throw CodecError(
                .limitExceeded,
                "the input is \(buffer.count) bytes, more than the limit of \(limits.maxInputBytes); "
                    + "raise ParseLimits.maxInputBytes to read it"
            )
        }
        guard buffer.count < DocumentTape.maxInputBytes else { throw DocumentTape.tooLarge(buffer.count) }
    }
}
