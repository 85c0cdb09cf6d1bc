import Foundation

/// What an ``ExperimentCampaign`` ended with.
public struct CampaignReport: Sendable, Hashable {
    /// Every experiment's final row, in the batch's order.
    public var rows: [ExperimentProgress]
    /// From publishing to the end of archiving.
    public var elapsed: Duration

    /// A report from its parts.
    public init(rows: [ExperimentProgress], elapsed: Duration) {
        self.rows = rows
        self.elapsed = elapsed
    }

    /// Whether every experiment was verified.
    public var succeeded: Bool { rows.allSatisfy(\.phase.isSuccess) }

    /// How many experiments are in each phase.
    public var counts: PhaseCounts { PhaseCounts(rows) }

    /// How many were moved under `archive/`.
    public var archivedCount: Int { rows.filter(\.archived).count }

    /// The summary table:
    ///
    /// ```
    /// NAME              WORKLOAD  SIZE     REPS  PHASE     RUNNER     MEAN ms  DIGEST        ARCHIVED
    /// sha256-b1a2-01    sha256    150000   3/3   Verified  testbed-1  212.4    4be1c8f0a1d2  yes
    /// ```
    public func table() -> String {
        var lines = [
            [
                "NAME", "WORKLOAD", "SIZE", "REPS", "PHASE", "RUNNER", "MEAN ms", "DIGEST", "ARCHIVED",
            ]
        ]
        for row in rows {
            lines.append([
                row.name,
                row.spec.workload.shortName,
                String(row.spec.size),
                "\(row.completedRepetitions)/\(row.spec.repetitions)",
                row.phase.rawValue,
                row.runner ?? "-",
                row.meanMilliseconds.map { String(format: "%.1f", $0) } ?? "-",
                row.digest.map { String($0.prefix(12)) } ?? "-",
                row.archived ? "yes" : "no",
            ])
        }
        return TextTable.render(lines)
    }

    /// The rows that did not succeed, one line each with the reason.
    public func failures() -> [String] {
        rows.filter { !$0.phase.isSuccess }.map { "\($0.name): \($0.phase) — \($0.message)" }
    }

    /// `12 experiments in 8.4 s: verified 12; 12 archived`.
    public var summaryLine: String {
        let components = elapsed.components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return "\(rows.count) experiments in \(String(format: "%.1f", seconds)) s: \(counts); \(archivedCount) archived"
    }
}

/// Left-aligned columns separated by two spaces, like `kubectl get`.
enum TextTable {
    static func render(_ lines: [[String]]) -> String {
        let columns = lines.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for line in lines {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return lines.map { line in
            var text = ""
            for (index, cell) in line.enumerated() {
                text += cell
                if index < line.count - 1 { text += String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            return text
        }.joined(separator: "\n")
    }
}
