import Foundation

/// Everything a run measured, for the tables and for `--json`.
struct Results: Codable, Sendable {
    struct RoundTrips: Codable, Sendable {
        var backend: String
        var detection: String
        var settings: String
        var count: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var meanMilliseconds: Double
        var minMilliseconds: Double
        /// CPU time (this process, both sides, and its git children) per round trip.
        var cpuMilliseconds: Double
        var breakdown: [Part]
        /// Round trips whose landmarks were not all found (left out of the breakdown).
        var uncut: Int
    }

    struct Part: Codable, Sendable {
        var part: String
        var medianMilliseconds: Double
        var meanMilliseconds: Double
        var calls: String
    }

    struct Naive: Codable, Sendable {
        var count: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var meanMilliseconds: Double
        var minMilliseconds: Double
        var producerPushMilliseconds: Double
        var consumerMilliseconds: Double
        var producerPullMilliseconds: Double
    }

    struct Bulk: Codable, Sendable {
        var backend: String
        var detection: String
        var settings: String
        var resources: Int
        var batch: Int
        var runs: [Run]
        var medianResourcesPerSecond: Double
    }

    struct Run: Codable, Sendable {
        var applySeconds: Double
        var totalSeconds: Double
        var resourcesPerSecond: Double
        var producerCommits: Int
        var statusCommits: Int
        var pushRetries: Int
        /// CPU time of the process (both sides) and its git children during the run.
        var cpuSeconds: Double
        /// Milliseconds spent in each kind of Transport call during the run, by side ("consumer fetch").
        var callMilliseconds: [String: Double]
    }

    struct Target: Codable, Sendable {
        var target: String
        var measured: String
        var pass: Bool
    }

    var machine: String
    var date: String
    var git: String
    var scratch: String
    var loadBefore: String
    var loadAfter: String
    var mode: String
    var roundTrips: [RoundTrips] = []
    var naive: Naive?
    var bulk: [Bulk] = []
    var network: [NetworkResult] = []
    var targets: [Target] = []

    func printJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf",
            negativeInfinity: "-inf",
            nan: "nan"
        )
        print(String(decoding: try encoder.encode(self), as: UTF8.self))
    }

    static func now() -> String {
        Date().ISO8601Format()
    }
}
