import Foundation
import Giter

/// One resource read from an input of `giter apply`.
struct Manifest {
    /// The resource, its namespace set.
    var resource: DynamicResource
    /// `FILE:LINE:COLUMN` of the document, for messages.
    var origin: String
    /// The document as read, with the locations of its fields.
    var document: Node
    /// The file's name in messages (`<stdin>` for standard input).
    var file: String
    /// The document's own YAML text, stored as the author wrote it; `nil`
    /// for JSON and the items of a `kind: List`, which are stored as block YAML.
    var text: [UInt8]? = nil
}

/// Reads the inputs of `giter apply`: files, folders (their `.yaml`, `.yml`
/// and `.json` files) and standard input (`-`), each a YAML stream or one or
/// more JSON texts; a `kind: List` document stands for its `items`.
///
/// Every problem is collected as one line, `FILE:LINE:COLUMN: message`, so
/// that all of them are reported before anything is written.
struct ManifestReader {
    /// The namespace of resources that name none.
    var namespace: String
    /// Whether `namespace` was given with `-n`: a resource naming another is then an error.
    var namespaceGiven: Bool
    /// Whether folders are read with their subfolders.
    var recursive: Bool

    private(set) var manifests: [Manifest] = []
    private(set) var problems: [String] = []

    init(namespace: String, namespaceGiven: Bool, recursive: Bool) {
        self.namespace = namespace
        self.namespaceGiven = namespaceGiven
        self.recursive = recursive
    }

    /// Reads `input`: a file, a folder or `-`.
    mutating func read(_ input: String) {
        if input == "-" {
            read(file: "-", name: "<stdin>")
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            problems.append("\(input): no such file or folder")
            return
        }
        guard isDirectory.boolValue else {
            read(file: input, name: input)
            return
        }
        let files = Self.manifestFiles(in: input, recursive: recursive)
        if files.isEmpty { problems.append("\(input): no .yaml, .yml or .json files in this folder") }
        for file in files { read(file: file, name: file) }
    }

    /// The `.yaml`, `.yml` and `.json` files of a folder, sorted by path.
    static func manifestFiles(in folder: String, recursive: Bool) -> [String] {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted()
        var result: [String] = []
        for name in names where !name.hasPrefix(".") {
            let path = "\(base)/\(name)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if recursive { result += manifestFiles(in: path, recursive: true) }
            } else if [".yaml", ".yml", ".json"].contains(where: { name.lowercased().hasSuffix($0) }) {
                result.append(path)
            }
        }
        return result
    }

    private mutating func read(file path: String, name: String) {
        let limits = ParseLimits.default
        let documents: [Node]
        var texts: DocumentTexts?
        do {
            let bytes = try InputFile.read(path, maxBytes: limits.maxInputBytes)
            switch ConvertCommand.InputFormat.auto.resolved(path: path, content: bytes) {
            case .json: documents = try JSONInput.documents(bytes, limits: limits)
            case .yaml, .auto:
                documents = try YAMLReader(limits: limits).read(bytes)
                texts = DocumentTexts(bytes)
            }
        } catch let error as CodecError {
            problems.append("\(name):\(error.location == nil ? " " : "")\(error)")
            return
        } catch {
            problems.append("\(name): \(error)")
            return
        }
        for document in documents where !document.isNull {
            if document["kind"]?.string == "List", let items = document["items"]?.sequence {
                for item in items { add(item, name: name) }
            } else {
                add(document, name: name, text: texts?.text(of: document, limits: limits))
            }
        }
    }

    private mutating func add(_ document: Node, name: String, text: [UInt8]? = nil) {
        let origin = "\(name):\(document.location?.description ?? "1:1")"
        guard let mapping = document.mapping else {
            problems.append(
                "\(origin): a resource is a mapping with apiVersion, kind, metadata and spec, "
                    + "not \(document.kindDescription)"
            )
            return
        }
        for key in ["apiVersion", "kind", "metadata", "spec"] where mapping[key] == nil {
            problems.append(
                "\(origin): the resource has no '\(key)'; a resource needs apiVersion, kind, metadata.name and spec"
            )
            return
        }
        var resource: DynamicResource
        do {
            resource = try DocumentDecoder().decode(DynamicResource.self, from: document)
        } catch let error as DecodingError {
            problems.append(Self.describe(error, name: name, origin: origin))
            return
        } catch {
            problems.append("\(origin): \(error)")
            return
        }
        if let given = resource.metadata.namespace, namespaceGiven, given != namespace {
            problems.append(
                "\(origin): the resource's namespace \"\(given)\" is not the namespace \"\(namespace)\" given with -n; "
                    + "remove one of them"
            )
            return
        }
        if resource.metadata.namespace == nil { resource.metadata.namespace = namespace }
        do throws(ValidationErrors) {
            try resource.validate()
        } catch {
            for problem in error.errors {
                let location = Self.location(ofField: problem.field, in: document) ?? document.location
                problems.append("\(name):\(location?.description ?? "1:1"): \(problem)")
            }
            return
        }
        manifests.append(Manifest(resource: resource, origin: origin, document: document, file: name, text: text))
    }

    /// `FILE:LINE:COLUMN: path: message` for a decoding error, the location
    /// taken from the end of its description.
    static func describe(_ error: DecodingError, name: String, origin: String) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        @unknown default: return "\(origin): \(error)"
        }
        var message = context.debugDescription
        var place = origin
        if let range = message.range(of: " at line ", options: .backwards) {
            let numbers = message[range.upperBound...].split(separator: ",")
            if numbers.count == 2, let line = Int(numbers[0]),
                let column = Int(numbers[1].drop { !$0.isNumber })
            {
                place = "\(name):\(line):\(column)"
                message = String(message[..<range.lowerBound])
            }
        }
        var path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        if case .keyNotFound(let key, _) = error { path += ".\(key.stringValue)" }
        if path.hasPrefix(".") { path.removeFirst() }
        return path.isEmpty ? "\(place): \(message)" : "\(place): \(path): \(message)"
    }

    /// The location of a field such as `metadata.labels[app]` or
    /// `status.conditions[1].reason` in `document`, as far as it exists.
    static func location(ofField field: String, in document: Node) -> SourceLocation? {
        var node = document
        var location = document.location
        for part in field.split(separator: ".") {
            var name = Substring(part)
            var index: String?
            if let open = part.firstIndex(of: "["), part.hasSuffix("]") {
                name = part[..<open]
                index = String(part[part.index(after: open)..<part.index(before: part.endIndex)])
            }
            guard let entry = node.mapping?.entry(forKey: String(name)) else { return location }
            location = entry.keyLocation ?? entry.value.location ?? location
            node = entry.value
            if let index {
                if let number = Int(index), let item = node[number] {
                    node = item
                } else if let entry = node.mapping?.entry(forKey: index) {
                    node = entry.value
                } else {
                    return location
                }
                location = node.location ?? location
            }
        }
        return location
    }
}

/// The text of each document of a YAML stream: the lines between the
/// document markers (`---` in column 1).
struct DocumentTexts {
    /// Each document's lines: its first line (1-based) and its bytes.
    private var chunks: [(firstLine: Int, lineCount: Int, bytes: ArraySlice<UInt8>)] = []

    /// The documents of `bytes`; none when the stream has `...` end markers.
    init(_ bytes: [UInt8]) {
        var start = 0
        var firstLine = 1
        var line = 1
        var index = 0
        while index <= bytes.count {
            let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let content = bytes[index..<lineEnd]
            if content.starts(with: Array("...".utf8)) { chunks = []; return }
            if content.starts(with: Array("---".utf8))
                && (content.count == 3 || [0x20, 0x09, 0x0D].contains(content[index + 3]))
            {
                chunks.append((firstLine, line - firstLine, bytes[start..<index]))
                start = min(lineEnd + 1, bytes.count)
                firstLine = line + 1
            }
            if lineEnd == bytes.count { break }
            index = lineEnd + 1
            line += 1
        }
        chunks.append((firstLine, line - firstLine + 1, bytes[start...]))
    }

    /// The text of `document`, when it lies on lines of its own and reads,
    /// alone, as `document`.
    func text(of document: Node, limits: ParseLimits) -> [UInt8]? {
        guard let line = document.location?.line else { return nil }
        // The last chunk starting at or before the line (chunks are in order): a binary search.
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if chunks[middle].firstLine <= line { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let chunk = chunks[low - 1]
        guard line < chunk.firstLine + chunk.lineCount else { return nil }
        let text = Array(chunk.bytes)
        guard let read = try? YAMLReader(limits: limits).readDocument(text), read == document else { return nil }
        return text
    }
}
