import Foundation

/// The measurements of one operation on one document.
struct ResultRow: Codable, Sendable {
    var operation: String
    var label: String
    var library: String
    var format: String
    var direction: String
    var document: String
    var documentBytes: Int
    var runs: Int?
    var medianMicroseconds: Double?
    var p90Microseconds: Double?
    var minMicroseconds: Double?
    /// Document bytes per median run, in MB/s (1 MB = 10^6 bytes).
    var megabytesPerSecond: Double?
    /// Foundation's median for the same direction (JSON) ÷ this median: how many times faster than Foundation.
    var foundationOverThis: Double?
    /// Yams's median for the same direction (YAML) ÷ this median: how many times faster than Yams.
    var yamsOverThis: Double?
    var peakMemory: PeakMemory?
    /// Why the row has no numbers, if it has none.
    var error: String?
}

/// One target of issue 2, checked against the measurements.
struct TargetCheck: Codable, Sendable {
    var target: String
    var document: String
    var measured: String
    var passed: Bool?
}

struct MachineInfo: Codable, Sendable {
    var cpu: String
    var cores: Int
    var memoryGiB: Double
    var system: String

    /// The 1, 5 and 15 minute load averages, or "n/a".
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "n/a" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func current() -> MachineInfo {
        var cpu = "unknown"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let process = ProcessInfo.processInfo
        return MachineInfo(
            cpu: cpu,
            cores: process.activeProcessorCount,
            memoryGiB: (Double(process.physicalMemory) / Double(1 << 30) * 10).rounded() / 10,
            system: process.operatingSystemVersionString
        )
    }
}

struct BenchmarkReport: Codable, Sendable {
    var date: String
    var mode: String
    var machine: MachineInfo
    /// /proc/loadavg before and after the run: other work on the machine.
    var loadAverageBefore: String
    var loadAverageAfter: String
    var documents: [DocumentInfo]
    var results: [ResultRow]
    var targets: [TargetCheck]

    struct DocumentInfo: Codable, Sendable {
        var name: String
        var yamlBytes: Int
        var jsonBytes: Int
        var routes: Int
    }
}
