import ArgumentParser
import GiterCodec

/// `giter convert`: YAML and JSON document streams from one format to the other.
///
/// Each input is read whole and all its documents are parsed before any is
/// written, so an input with a bad document writes nothing at all; the error
/// goes to standard error as `FILE:LINE:COLUMN: message` and conversion
/// goes on with the next input. The exit status is 1 when any input failed.
struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert YAML and JSON documents from one format to the other.",
        discussion: """
            Reads each FILE (standard input when there is none, or for '-') \
            and writes every document it holds to standard output in the \
            target format. YAML output separates documents with '---' lines; \
            JSON output is one compact document per line (JSON Lines).

            With '--from auto', a file ending in .json, .jsonl or .ndjson is \
            JSON and one ending in .yaml or .yml is YAML; any other input is \
            JSON when its first character other than white space is '{' or \
            '[', and YAML otherwise. A JSON input holds exactly one document \
            (over as many lines as it likes), or JSON Lines: one document per \
            line, as '--to json' writes them. An empty JSON input, or a \
            second value after a document on the same line, is an error.

            The documents of an input are all parsed before any is written: \
            an input with an error writes nothing, and the error is reported \
            on standard error as FILE:LINE:COLUMN: message (standard input is \
            named <stdin>). The other inputs are still converted. The exit \
            status is 1 when any input could not be read or converted, and \
            64 for a usage error.

            Examples:
              giter convert job.yaml                   YAML to YAML, normalized
              giter convert --to json job.yaml         one JSON line per document
              kubectl get jobs -o json | giter convert --to yaml
              giter convert --from json --to yaml -    standard input, as JSON
              giter convert --to json *.yaml > all.jsonl
            """
    )

    @Option(name: .long, help: ArgumentHelp("The input format.", valueName: "format"))
    var from: InputFormat = .auto

    @Option(name: .long, help: ArgumentHelp("The output format.", valueName: "format"))
    var to: OutputFormat = .yaml

    @Argument(help: ArgumentHelp("The files to convert; '-' or none for standard input.", valueName: "file"))
    var files: [String] = []

    /// The most bytes read from one input, as for the readers.
    var limits: ParseLimits { .default }

    func run() async throws {
        var output = OutputBuffer()
        var failed = false
        for path in files.isEmpty ? ["-"] : files {
            let name = path == "-" ? "<stdin>" : path
            do {
                let bytes = try InputFile.read(path, maxBytes: limits.maxInputBytes)
                let documents = try read(bytes, format: from.resolved(path: path, content: bytes))
                try output.append(documents, as: to)
            } catch let error as InputFile.Error {
                StandardError.write("\(name): \(error)\n")
                failed = true
            } catch let error as CodecError {
                StandardError.write("\(name):\(error.location == nil ? " " : "")\(error)\n")
                failed = true
            } catch {
                StandardError.write("\(name): \(error)\n")
                failed = true
            }
            output.flush()
        }
        if failed { throw ExitCode.failure }
    }

    private func read(_ bytes: [UInt8], format: InputFormat) throws -> [Node] {
        switch format {
        case .json: try JSONInput.documents(bytes, limits: limits)
        case .yaml, .auto: try YAMLReader(limits: limits).read(bytes)
        }
    }
}

extension ConvertCommand {
    /// The format of an input.
    enum InputFormat: String, ExpressibleByArgument, CaseIterable {
        case auto
        case yaml
        case json

        /// The format to read an input with: this one, or for ``auto``, the
        /// one its file extension or its first significant character says.
        func resolved(path: String, content: [UInt8]) -> InputFormat {
            guard self == .auto else { return self }
            let lowercased = path.lowercased()
            if [".json", ".jsonl", ".ndjson"].contains(where: lowercased.hasSuffix) { return .json }
            if [".yaml", ".yml"].contains(where: lowercased.hasSuffix) { return .yaml }
            var index = 0
            if content.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // byte order mark
            while index < content.count, [0x20, 0x09, 0x0A, 0x0D].contains(content[index]) { index += 1 }
            guard index < content.count else { return .yaml }
            return content[index] == UInt8(ascii: "{") || content[index] == UInt8(ascii: "[") ? .json : .yaml
        }
    }

    /// The format of the output.
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case yaml
        case json
    }
}

/// The converted text, written to standard output one input at a time.
struct OutputBuffer {
    private var pending: [UInt8] = []
    private var wroteYAMLDocument = false

    /// Appends every document, or nothing when one cannot be written.
    mutating func append(_ documents: [Node], as format: ConvertCommand.OutputFormat) throws {
        var text: [UInt8] = []
        var separate = wroteYAMLDocument
        for document in documents {
            switch format {
            case .json:
                text.append(contentsOf: try JSONWriter().writeBytes(document))
                text.append(UInt8(ascii: "\n"))
            case .yaml:
                if separate { text.append(contentsOf: "---\n".utf8) }
                YAMLWriter().append(document, to: &text)
                separate = true
            }
        }
        pending.append(contentsOf: text)
        wroteYAMLDocument = separate
    }

    /// Writes what was appended to standard output.
    mutating func flush() {
        StandardOutput.write(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
