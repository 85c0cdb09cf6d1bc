/// The timings of one operation by one implementation, in nanoseconds.
struct Row: Sendable {
    var operation: String
    var implementation: String
    var samples: [Double]

    var median: Double { percentile(0.5) }
    var p99: Double { percentile(0.99) }

    /// Nearest-rank percentile (the median of an even count is the mean of the middle two).
    func percentile(_ fraction: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return .nan }
        if fraction == 0.5 {
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}

func milliseconds(_ nanoseconds: Double) -> String {
    guard nanoseconds.isFinite else { return "–" }
    let value = nanoseconds / 1e6
    return value < 10 ? format(value, decimals: 3) : format(value, decimals: 1)
}

func format(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "–" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let fraction = text[text.index(after: dot)...].count
        if fraction < decimals { text += String(repeating: "0", count: decimals - fraction) }
    } else if decimals > 0 {
        text += "." + String(repeating: "0", count: decimals)
    }
    return text
}

/// Prints a Markdown table with right-aligned numeric columns.
func printTable(_ header: [String], _ rows: [[String]], numericFrom firstNumeric: Int) {
    var widths = header.map(\.count)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    func line(_ cells: [String]) -> String {
        "| " + cells.enumerated().map { index, cell in
            let padding = String(repeating: " ", count: widths[index] - cell.count)
            return index >= firstNumeric ? padding + cell : cell + padding
        }.joined(separator: " | ") + " |"
    }
    print(line(header))
    print("|" + widths.enumerated().map { index, width in
        index >= firstNumeric ? String(repeating: "-", count: width + 1) + ":" : String(repeating: "-", count: width + 2)
    }.joined(separator: "|") + "|")
    for row in rows { print(line(row)) }
}
