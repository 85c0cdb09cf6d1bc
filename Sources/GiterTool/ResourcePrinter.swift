import ArgumentParser
import Foundation
import Giter

/// How `giter get` prints resources: `-o wide|yaml|json|name`,
/// `-o jsonpath=TEMPLATE` or `-o custom-columns=HEADER:PATH,...`.
enum PrintFormat {
    /// The table, with the Ready condition's reason and message.
    case wide
    /// The resources as YAML.
    case yaml
    /// The resources as JSON.
    case json
    /// `KIND/NAME`, one per line.
    case name
    /// A kubectl JSONPath template applied to the resource, or the list.
    case jsonPath(JSONPathTemplate)
    /// A table with a column per JSONPath.
    case customColumns([CustomColumn])

    /// The values `-o` takes, for help and completion.
    static let names = ["wide", "yaml", "json", "name", "jsonpath=", "custom-columns="]

    /// Reads the value of `-o`.
    ///
    /// - Throws: ``ToolError`` (usage) naming the format and, for a template,
    ///   the column of the problem.
    static func parse(_ text: String) throws -> PrintFormat {
        switch text {
        case "wide": return .wide
        case "yaml": return .yaml
        case "json": return .json
        case "name": return .name
        default: break
        }
        if text.hasPrefix("jsonpath=") {
            let template = String(text.dropFirst("jsonpath=".count))
            guard !template.isEmpty else {
                throw ToolError.usage("-o jsonpath= needs a template, for example -o jsonpath='{.metadata.name}'")
            }
            do {
                return .jsonPath(try JSONPathTemplate(parsing: template))
            } catch {
                throw ToolError.usage("-o jsonpath='\(template)': \(error)")
            }
        }
        if text.hasPrefix("custom-columns=") {
            return .customColumns(try CustomColumn.parse(String(text.dropFirst("custom-columns=".count))))
        }
        throw ToolError.usage(
            "-o \(text) is not an output format; use wide, yaml, json, name, jsonpath=TEMPLATE "
                + "or custom-columns=HEADER:PATH,...")
    }
}

/// One column of `-o custom-columns`: its header and the JSONPath of its values.
struct CustomColumn {
    var header: String
    var path: JSONPath

    /// Reads `HEADER:PATH,HEADER:PATH…`; a path is a JSONPath expression,
    /// with or without braces and the leading dot (`.metadata.name`,
    /// `{.metadata.name}`, `metadata.name`). A comma inside brackets,
    /// parentheses or quotes belongs to the path.
    ///
    /// - Throws: ``ToolError`` (usage) naming the column that cannot be read.
    static func parse(_ spec: String) throws -> [CustomColumn] {
        let example = "for example -o custom-columns=NAME:.metadata.name,SIZE:.spec.size"
        guard !spec.isEmpty else { throw ToolError.usage("-o custom-columns= needs columns, \(example)") }
        var columns: [CustomColumn] = []
        for part in split(spec) {
            guard let colon = part.firstIndex(of: ":"), colon != part.startIndex else {
                throw ToolError.usage("-o custom-columns: '\(part)' is not HEADER:PATH; \(example)")
            }
            var path = String(part[part.index(after: colon)...])
            let header = String(part[..<colon])
            if path.hasPrefix("{") && path.hasSuffix("}") { path = String(path.dropFirst().dropLast()) }
            guard !path.isEmpty else {
                throw ToolError.usage("-o custom-columns: the column \(header) has no path; \(example)")
            }
            do {
                columns.append(CustomColumn(header: header, path: try JSONPath(parsing: path, column: 1)))
            } catch {
                throw ToolError.usage("-o custom-columns: the path of \(header), '\(path)': \(error.message)")
            }
        }
        return columns
    }

    /// `spec` split at the commas outside brackets, parentheses and quotes.
    private static func split(_ spec: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in spec {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if "[({".contains(character) {
                depth += 1
            } else if "])}".contains(character) {
                depth -= 1
            } else if character == "," && depth == 0 {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }

    /// The cell of `node`: its values joined by commas, `<none>` when there is none.
    func cell(_ node: Node) -> String {
        let values = path.evaluate(root: node, current: node).map { ErrorReporting.oneLine(JSONPathTemplate.text($0)) }
        return values.isEmpty ? "<none>" : values.joined(separator: ",")
    }
}

/// Prints resources as tables, documents or names.
struct ResourcePrinter {
    /// Whether a NAMESPACE column comes first.
    var showNamespace = false
    /// The time ages are counted to.
    var now = Date()

    /// The table of `resources`: NAME, GENERATION, OBSERVED, READY, AGE
    /// (NAMESPACE first with `showNamespace`; REASON and MESSAGE with `wide`).
    func table(_ resources: [StoredResource<DynamicResource>], wide: Bool) -> String {
        Self.format(rows(resources, wide: wide))
    }

    /// The rows of ``table(_:wide:)``, the header first.
    func rows(_ resources: [StoredResource<DynamicResource>], wide: Bool) -> [[String]] {
        var header = ["NAME", "GENERATION", "OBSERVED", "READY", "AGE"]
        if showNamespace { header.insert("NAMESPACE", at: 0) }
        if wide { header += ["REASON", "MESSAGE"] }
        var rows = [header]
        for stored in resources {
            let resource = stored.resource
            let ready = resource.status?.condition(ofType: "Ready")
            var row = [
                resource.metadata.name,
                resource.metadata.generation.map(String.init) ?? "-",
                resource.status?.observedGeneration.map(String.init) ?? "-",
                ready?.status.rawValue ?? "-",
                resource.metadata.creationTimestamp.map { Self.age(from: $0, to: now) } ?? "-",
            ]
            if showNamespace { row.insert(stored.key.namespace, at: 0) }
            if wide {
                row += [
                    ready.map { $0.reason.isEmpty ? "-" : $0.reason } ?? "-",
                    ready.map { ErrorReporting.oneLine($0.message) } ?? "",
                ]
            }
            rows.append(row)
        }
        return rows
    }

    /// The rows of `-o custom-columns`, the header first.
    func rows(_ resources: [StoredResource<DynamicResource>], columns: [CustomColumn]) throws -> [[String]] {
        var rows = [columns.map(\.header)]
        for stored in resources {
            let node = try DocumentEncoder().encodeNode(stored.resource)
            rows.append(columns.map { $0.cell(node) })
        }
        return rows
    }

    /// The document `-o yaml`, `-o json` and `-o jsonpath` work on: the
    /// resource when `single`, else a `kind: List` of them.
    func node(_ resources: [StoredResource<DynamicResource>], single: Bool) throws -> Node {
        let nodes = try resources.map { try DocumentEncoder().encodeNode($0.resource) }
        if single, let first = nodes.first { return first }
        return .mapping(["apiVersion": "v1", "kind": "List", "items": .sequence(nodes)])
    }

    /// Rows as columns separated by at least three spaces, kubectl's way.
    static func format(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var text = ""
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 3) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            text += line + "\n"
        }
        return text
    }

    /// One resource as a document, or several as a `kind: List`, in YAML or JSON.
    func documents(_ resources: [StoredResource<DynamicResource>], single: Bool, format: PrintFormat) throws -> String {
        let node = try node(resources, single: single)
        switch format {
        case .json: return try JSONWriter(options: .pretty).write(node) + "\n"
        default: return YAMLWriter().write(node)
        }
    }

    /// `KIND/NAME` per resource.
    func names(_ resources: [StoredResource<DynamicResource>]) -> String {
        resources.map { "\($0.resource.kind)/\($0.resource.metadata.name)\n" }.joined()
    }

    /// A duration as kubectl prints ages: `45s`, `3m20s`, `17m`, `5h12m`,
    /// `30h`, `3d4h`, `12d`, `2y30d`.
    static func age(from start: Date, to end: Date) -> String {
        let seconds = max(0, Int(end.timeIntervalSince(start)))
        let minutes = seconds / 60
        let hours = minutes / 60
        let days = hours / 24
        let years = days / 365
        func pair(_ big: Int, _ bigUnit: String, _ small: Int, _ smallUnit: String) -> String {
            small == 0 ? "\(big)\(bigUnit)" : "\(big)\(bigUnit)\(small)\(smallUnit)"
        }
        if seconds < 120 { return "\(seconds)s" }
        if minutes < 10 { return pair(minutes, "m", seconds % 60, "s") }
        if minutes < 180 { return "\(minutes)m" }
        if hours < 8 { return pair(hours, "h", minutes % 60, "m") }
        if hours < 48 { return "\(hours)h" }
        if hours < 192 { return pair(days, "d", hours % 24, "h") }
        if days < 730 { return "\(days)d" }
        if years < 8 { return pair(years, "y", days % 365, "d") }
        return "\(years)y"
    }
}
