import ArgumentParser
import Foundation
import Giter

/// How `giter get` prints resources.
enum PrintFormat: String, ExpressibleByArgument, CaseIterable {
    /// The table, with the Ready condition's reason and message.
    case wide
    /// The resources as YAML.
    case yaml
    /// The resources as JSON.
    case json
    /// `KIND/NAME`, one per line.
    case name
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
        return Self.format(rows)
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
        let nodes = try resources.map { try DocumentEncoder().encodeNode($0.resource) }
        let node: Node
        if single, let first = nodes.first {
            node = first
        } else {
            node = .mapping(["apiVersion": "v1", "kind": "List", "items": .sequence(nodes)])
        }
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
