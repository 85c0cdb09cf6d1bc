import GiterCodec

/// What the tool accepts as JSON input: exactly one document (pretty-printed
/// over many lines, as `kubectl get -o json` and `giter get -o json` write
/// it), or JSON Lines — one document per line, as `giter convert --to json`
/// writes them. Nothing else: an empty input, or a second value after a
/// document on the same line, is an error with its line and column.
///
/// Lines holding only white space between JSON Lines documents are allowed.
enum JSONInput {
    /// The documents of `bytes`.
    ///
    /// - Throws: ``CodecError`` with the line and column of the problem.
    static func documents(_ bytes: [UInt8], limits: ParseLimits) throws -> [Node] {
        let reader = JSONReader(limits: limits)
        let documents = try reader.readStream(bytes)
        guard !documents.isEmpty else {
            throw CodecError(
                .syntax,
                "empty input; expected one JSON document, or one document per line (JSON Lines)",
                at: SourceLocation(line: 1, column: 1, offset: 0)
            )
        }
        guard documents.count > 1 else { return documents }
        // Several values: each must be alone on its line. Each line is read on
        // its own to check that; the documents returned are the stream's, whose
        // locations count from the start of the input.
        var lineNumber = 0
        // A byte order mark opens the first line, not a value.
        var lineStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = Array(bytes[lineStart..<lineEnd])
            if line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) {
                do {
                    _ = try reader.read(line)
                } catch let error as CodecError {
                    let column = error.location?.column ?? 1
                    let length = line.last == 0x0D ? line.count - 1 : line.count
                    // At the end of the line: a document that goes on to the next lines.
                    let problem =
                        column > length
                        ? "the JSON document on this line goes on past it (\(error.message))"
                        : error.message
                    throw CodecError(
                        error.code,
                        "\(problem); a JSON input holds one document, or one document per line (JSON Lines)",
                        at: SourceLocation(
                            line: lineNumber,
                            column: column,
                            offset: lineStart + (error.location?.offset ?? 0)
                        )
                    )
                }
            }
            lineStart = lineEnd + 1
        }
        return documents
    }
}
