import Foundation

/// The tables and verdict lines LinearBenchmark prints.
struct Report {
    var options: Options
    var results: [CaseResult]
    var loadBefore: String
    var loadAfter: String

    /// Whether a case meets both targets (memory only when it was measured).
    func passes(_ result: CaseResult) -> Bool {
        guard result.error == nil, let ratio = result.timeRatio, ratio <= options.timeRatio else { return false }
        return memoryPasses(result) ?? true
    }

    /// `nil` when peak memory was not measured.
    func memoryPasses(_ result: CaseResult) -> Bool? {
        guard let worst = result.worstMemory(constant: options.memoryConstant) else { return nil }
        return worst.multiple < options.memoryFactor
    }

    var allPass: Bool { !results.isEmpty && results.allSatisfy(passes) }

    func render() -> String {
        var lines: [String] = []
        lines.append("Load average before/after: \(loadBefore) / \(loadAfter)")
        lines.append(
            "Sizes: \(options.sizes.map(Self.size).joined(separator: ", ")); mode: \(options.quick ? "quick" : "full")"
                + " (each size: median of at least \((options.quick ? TimingPlan.quick : TimingPlan.full).minimumRuns) runs)")
        lines.append("")
        lines.append("Time per byte (ns/B, medians) at each size; ratio = largest ÷ smallest (target ≤ \(Self.number(options.timeRatio))×);")
        lines.append(
            "peak = extra resident memory of one run at the largest size ÷ its input, the run's result included; value = the heap of the value decode hands back, alive at the end of the run (allocator's count);")
        lines.append(
            "worst = max over sizes of (judged − \(options.memoryConstant >> 20) MiB) ÷ input (target < \(Self.number(options.memoryFactor))×), judged = extra, for decode extra − value (its working memory).")
        lines.append("")
        var header = "| Path | Shape |"
        var rule = "|---|---|"
        for size in options.sizes {
            header += " \(Self.size(size)) |"
            rule += "---:|"
        }
        header += " Ratio | Peak at largest | Value at largest | Worst | Result |"
        rule += "---:|---:|---:|---:|---|"
        lines.append(header)
        lines.append(rule)
        for result in results {
            var row = "| \(result.path.rawValue) | \(result.shape.rawValue) |"
            if let error = result.error, result.sizes.isEmpty {
                row += String(repeating: " |", count: options.sizes.count) + " | | | | ERROR: \(error.prefix(80)) |"
                lines.append(row)
                continue
            }
            for size in result.sizes { row += " \(Self.number(size.nanosecondsPerByte)) |" }
            row += " \(result.timeRatio.map { Self.number($0) + "×" } ?? "") |"
            if let last = result.sizes.last, let peak = last.peak {
                row += " \(Self.share(peak.extraBytes, of: last.bytes)) |"
                row += " \(peak.valueBytes.map { Self.share($0, of: last.bytes) } ?? "") |"
            } else {
                row += " | |"
            }
            row += " \(result.worstMemory(constant: options.memoryConstant).map { Self.number($0.multiple) + "×" } ?? "") |"
            row += " \(passes(result) ? "PASS" : "FAIL") |"
            lines.append(row)
        }
        lines.append("")
        for result in results { lines.append(verdict(result)) }
        let failed = results.filter { !passes($0) }.count
        lines.append("")
        lines.append(
            failed == 0
                ? "linear: all \(results.count) path × shape cases pass"
                : "linear: \(failed) of \(results.count) path × shape cases FAIL")
        return lines.joined(separator: "\n")
    }

    private func verdict(_ result: CaseResult) -> String {
        let name = "\(result.path.rawValue) \(result.shape.rawValue)"
        guard result.error == nil || !result.sizes.isEmpty, let first = result.sizes.first, let last = result.sizes.last else {
            return "FAIL \(name): \(result.error ?? "no result")"
        }
        var text = "\(passes(result) ? "PASS" : "FAIL") \(name): time/byte \(Self.size(last.bytes)) ÷ \(Self.size(first.bytes)) = "
        text += "\(Self.number(result.timeRatio ?? 0))× (≤ \(Self.number(options.timeRatio))×)"
        if let worst = result.worstMemory(constant: options.memoryConstant), let peak = worst.size.peak {
            text += "; peak extra \(Self.megabytes(peak.extraBytes)) at \(Self.size(worst.size.bytes))"
            if let value = peak.valueBytes {
                text += " − value \(Self.megabytes(value)) = working \(Self.megabytes(peak.judgedBytes))"
            }
            text += " = \(Self.number(worst.multiple))× input + \(options.memoryConstant >> 20) MiB (< \(Self.number(options.memoryFactor))×)"
        } else {
            text += "; peak memory not measured"
        }
        if let error = result.error { text += "; error: \(error)" }
        return text
    }

    static func size(_ bytes: Int) -> String {
        if bytes >= 1_000_000 { return number(Double(bytes) / 1e6) + " MB" }
        return number(Double(bytes) / 1e3) + " KB"
    }

    static func megabytes(_ bytes: Int) -> String { number(Double(bytes) / 1e6) + " MB" }

    /// "4.20 MB = 1.05×": bytes, and their multiple of `input`.
    static func share(_ bytes: Int, of input: Int) -> String {
        "\(megabytes(bytes)) = \(number(Double(bytes) / Double(max(1, input))))×"
    }

    static func number(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }

    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
