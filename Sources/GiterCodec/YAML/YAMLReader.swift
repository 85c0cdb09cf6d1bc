/// Reads YAML text into ``Node`` trees.
///
/// The reader accepts the subset of YAML 1.2 that configuration files use:
/// block mappings and sequences (with the sequence either indented under its
/// key or not, and compact `- key: value` items), flow `[...]` and `{...}`
/// collections, plain, single- and double-quoted scalars with every YAML
/// escape, literal `|` and folded `>` block scalars with chomping and
/// indentation indicators, comments, and `---` / `...` multi-document
/// streams. Input may start with a byte order mark and use CRLF line breaks.
///
/// Scalars resolve with the YAML 1.2 core schema, so `no`, `on` and `y` are
/// strings, unlike in YAML 1.1.
///
/// Anchors, aliases, tags, explicit (`?`) and complex keys, and directives
/// are outside the subset: the reader throws a ``CodecError`` with code
/// ``CodecError/Code/unsupported`` and the location, and never guesses. A
/// mapping with the same key twice is an error too. Nesting and input size
/// are bounded by ``limits``.
///
/// ```swift
/// let documents = try YAMLReader().read("a: 1\n---\nb: [x, y]\n")
/// documents[1]["b"]?[0]?.string  // "x"
/// ```
public struct YAMLReader: Sendable {
    /// The bounds applied while reading.
    public var limits: ParseLimits

    public init(limits: ParseLimits = .default) {
        self.limits = limits
    }

    /// Reads every document of a YAML stream. An empty stream has no documents.
    ///
    /// - Throws: ``CodecError`` for malformed or unsupported input.
    public func read(_ text: String) throws -> [Node] {
        var text = text
        text.makeContiguousUTF8()
        let kept = text
        return try text.withUTF8 { buffer in
            try withTape(buffer) { tape, input in
                Self.nodes(of: tape, input: input, text: TapeDocument.text(of: kept, start: input.prefixLength))
            }
        }
    }

    /// Reads every document of a YAML stream given as UTF-8 bytes.
    ///
    /// - Throws: ``CodecError`` for malformed or unsupported input, including
    ///   invalid UTF-8.
    public func read(_ bytes: [UInt8]) throws -> [Node] {
        try bytes.withUnsafeBufferPointer { buffer in
            try withTape(buffer) { tape, input in
                Self.nodes(of: tape, input: input, text: .bytes(bytes, start: input.prefixLength))
            }
        }
    }

    /// Reads a stream that must hold exactly one document.
    ///
    /// - Throws: ``CodecError`` for malformed input, or when the stream holds
    ///   no document or more than one.
    public func readDocument(_ text: String) throws -> Node {
        try single(read(text))
    }

    /// Reads UTF-8 bytes that must hold exactly one YAML document.
    public func readDocument(_ bytes: [UInt8]) throws -> Node {
        try single(read(bytes))
    }


    /// Parses `buffer` into a tape with a root per document and calls `body`
    /// with it and the prepared input the tape's offsets refer to.
    func withTape<R>(
        _ buffer: UnsafeBufferPointer<UInt8>,
        _ body: (DocumentTape, YAMLInput) throws -> R
    ) throws -> R {
        try YAMLInput.withPrepared(buffer, limits: limits) { input in
            var parser = YAMLParser(input: input, limits: limits)
            try parser.parseStream()
            return try body(parser.tape, input)
        }
    }

    /// The documents on `tape`, as views of the tape and `text` (the
    /// caller's text, which `input` was prepared from); when `input` was
    /// normalised, its normalised copy is kept instead.
    static func nodes(of tape: DocumentTape, input: YAMLInput, text: TapeDocument.Text) -> [Node] {
        let document = TapeDocument(
            tape: tape, text: input.normalized.map { .bytes($0, start: 0) } ?? text, lineBreaks: .lineFeed,
            prefixLength: input.prefixLength, removedCarriageReturns: input.removedCarriageReturns)
        return tape.roots.map { Node(tape: document, index: $0) }
    }

    /// The node trees of the documents on `tape`, built as trees of their
    /// own (for a caller whose text does not outlive the call).
    static func nodes(of tape: DocumentTape, input: YAMLInput) -> [Node] {
        let locator = TapeLocator.yaml(input)
        var cursor = TapeLocator.Cursor(locator)
        return tape.withView(text: input.bytes) { view in
            tape.roots.map { view.node(at: $0, locator: locator, cursor: &cursor) }
        }
    }

    private func single(_ documents: [Node]) throws -> Node {
        guard documents.count == 1 else {
            let message =
                documents.isEmpty
                ? "expected a YAML document, found an empty stream"
                : "expected one YAML document, found \(documents.count); read them with read(_:) instead"
            throw CodecError(.syntax, message, at: documents.count > 1 ? documents[1].location : nil)
        }
        return documents[0]
    }
}
