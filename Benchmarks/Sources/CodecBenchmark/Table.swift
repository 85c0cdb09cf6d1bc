import Foundation

/// The report as Markdown tables, ready to paste into Documentation/Performance.md.
enum Table {
    static func render(_ report: BenchmarkReport) -> String {
        var lines: [String] = []
        lines.append("Machine: \(report.machine.cpu), \(report.machine.cores) cores, \(report.machine.memoryGiB) GiB")
        lines.append(
            "Date: \(report.date)   Mode: \(report.mode)   "
                + "Load average before/after: \(report.loadAverageBefore) / \(report.loadAverageAfter)")
        for document in report.documents {
            lines.append(
                "Document \(document.name): YAML \(bytes(document.yamlBytes)), JSON \(bytes(document.jsonBytes)), "
                    + "\(document.routes) routes")
        }
        lines.append("")

        let header = [
            "Operation", "Doc", "Runs", "Median µs", "p90 µs", "Min µs", "MB/s", "Foundation ÷ this", "Yams ÷ this",
            "Peak extra MB", "Peak ÷ doc",
        ]
        var body: [[String]] = []
        for row in report.results {
            if let error = row.error {
                body.append([row.label, row.document, "—", "error: \(error)", "", "", "", "", "", "", ""])
                continue
            }
            body.append([
                row.label, row.document, row.runs.map(String.init) ?? "",
                micros(row.medianMicroseconds), micros(row.p90Microseconds), micros(row.minMicroseconds),
                row.megabytesPerSecond.map { String(format: "%.1f", $0) } ?? "",
                ratio(row.foundationOverThis), ratio(row.yamsOverThis),
                row.peakMemory.map { String(format: "%.2f", Double($0.extraBytes) / 1e6) } ?? "",
                row.peakMemory.map { String(format: "%.2f×", $0.multipleOfDocument) } ?? "",
            ])
        }
        lines += markdown(header: header, rows: body, rightAligned: Set(2..<header.count))
        lines.append("")

        lines += markdown(
            header: ["Target", "Doc", "Measured", "Result"],
            rows: report.targets.map {
                [$0.target, $0.document, $0.measured, $0.passed.map { $0 ? "PASS" : "FAIL" } ?? "n/a"]
            },
            rightAligned: [])
        return lines.joined(separator: "\n")
    }

    private static func markdown(header: [String], rows: [[String]], rightAligned: Set<Int>) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = widths.enumerated().map { index, width in
            rightAligned.contains(index)
                ? String(repeating: "-", count: width + 1) + ":" : String(repeating: "-", count: width + 2)
        }
        return [line(header), "|" + rule.joined(separator: "|") + "|"] + rows.map(line)
    }

    private static func micros(_ value: Double?) -> String {
        guard let value else { return "" }
        switch value {
        case ..<10: return String(format: "%.2f", value)
        case ..<1000: return String(format: "%.1f", value)
        default: return grouped(Int(value.rounded()))
        }
    }

    private static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    private static func ratio(_ value: Double?) -> String {
        value.map { String(format: "%.1f×", $0) } ?? ""
    }

    private static func bytes(_ count: Int) -> String {
        count >= 100_000 ? String(format: "%.2f MB", Double(count) / 1e6) : "\(grouped(count)) B"
    }
}
