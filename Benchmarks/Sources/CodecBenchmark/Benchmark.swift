import Foundation
import Yams

/// Reads YAML with Yams, the reference reader that defines each document's value.
func referenceDecode(_ yaml: String) throws -> WebService {
    try YAMLDecoder().decode(WebService.self, from: yaml)
}

struct BenchmarkOptions: Sendable {
    var json = false
    var quick = false
    var measurePeak = true
    var filter: String?

    static let usage = """
        usage: CodecBenchmark [--quick] [--json] [--no-peak] [--filter SUBSTRING]
               CodecBenchmark --dump 2.6k|1m yaml|json
          --quick     few iterations: a smoke run that checks everything works
          --json      print the results as JSON instead of a table
          --no-peak   skip the peak-memory child processes
          --filter S  only operations whose id contains S (ids: \(Operation.all.map(\.id).joined(separator: ", ")))
        """

    init(arguments: [String]) throws {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--json": json = true
            case "--quick": quick = true
            case "--no-peak": measurePeak = false
            case "--filter":
                guard let value = remaining.popFirst() else { throw BenchmarkError.usage(Self.usage) }
                filter = value
            default: throw BenchmarkError.usage(Self.usage)
            }
        }
    }
}

/// Runs every operation on every document and collects the report.
struct Benchmark {
    var options: BenchmarkOptions

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    func run() throws -> BenchmarkReport {
        let plan: TimingPlan = options.quick ? .quick : .full
        let loadBefore = MachineInfo.loadAverage()
        let operations = Operation.all.filter { operation in
            options.filter.map { operation.id.contains($0) } ?? true
        }
        progress("preparing documents")
        let documents = try [Documents.smallName, Documents.largeName].map {
            try Documents.make(named: $0, decodeYAML: referenceDecode)
        }
        var rows: [ResultRow] = []
        for document in documents {
            progress("measuring \(operations.count) operations on \(document.name)")
            rows += measureRows(operations, document, plan: plan)
        }
        if options.measurePeak && PeakMemoryProbe.isSupported {
            for index in rows.indices where rows[index].document == Documents.largeName && rows[index].error == nil {
                guard let operation = Operation.named(rows[index].operation) else { continue }
                progress("peak memory of \(operation.id) on \(Documents.largeName)")
                do {
                    rows[index].peakMemory = try PeakMemoryProbe.measure(operation, document: Documents.largeName)
                } catch {
                    progress("  \(error)")
                }
            }
        }
        addRatios(&rows)
        return BenchmarkReport(
            date: ISO8601DateFormatter().string(from: Date()),
            mode: options.quick ? "quick" : "full",
            machine: .current(),
            loadAverageBefore: loadBefore,
            loadAverageAfter: MachineInfo.loadAverage(),
            documents: documents.map {
                .init(name: $0.name, yamlBytes: $0.yamlBytes, jsonBytes: $0.jsonBytes, routes: $0.value.spec.routes.count)
            },
            results: rows,
            targets: TargetCheck.evaluate(rows)
        )
    }

    private func measureRows(_ operations: [Operation], _ document: Document, plan: TimingPlan) -> [ResultRow] {
        var rows: [ResultRow] = []
        var runners: [(row: Int, run: () throws -> Void)] = []
        for operation in operations {
            var row = ResultRow(
                operation: operation.id, label: operation.label, library: operation.library.rawValue,
                format: operation.format.rawValue, direction: operation.direction.rawValue,
                document: document.name, documentBytes: operation.documentBytes(document))
            do {
                // Every library must read (or write and read back) the same value, or the comparison is void.
                let value = try operation.roundTrip(document)
                guard value == document.value else {
                    throw BenchmarkError.mismatch("\(operation.label) on \(document.name) gives a different value")
                }
                runners.append((rows.count, try operation.makeRunner(for: document)))
            } catch {
                row.error = "\(error)"
                progress("  \(error)")
            }
            rows.append(row)
        }
        do {
            let stats = try measureInterleaved(plan, runners.map(\.run))
            for (runner, stats) in zip(runners, stats) {
                rows[runner.row].runs = stats.runs
                rows[runner.row].medianMicroseconds = stats.median / 1000
                rows[runner.row].p90Microseconds = stats.p90 / 1000
                rows[runner.row].minMicroseconds = stats.minimum / 1000
                rows[runner.row].megabytesPerSecond =
                    Double(rows[runner.row].documentBytes) / 1e6 / (stats.median / 1e9)
            }
        } catch {
            progress("  \(error)")
            for runner in runners { rows[runner.row].error = "\(error)" }
        }
        return rows
    }

    private func addRatios(_ rows: inout [ResultRow]) {
        func median(_ library: Library, _ format: Format, _ direction: String, _ document: String) -> Double? {
            rows.first {
                $0.library == library.rawValue && $0.format == format.rawValue && $0.direction == direction
                    && $0.document == document
            }?.medianMicroseconds
        }
        for index in rows.indices {
            let row = rows[index]
            guard let mine = row.medianMicroseconds else { continue }
            if let foundation = median(.foundation, .json, row.direction, row.document) {
                rows[index].foundationOverThis = foundation / mine
            }
            if let yams = median(.yams, .yaml, row.direction, row.document) {
                rows[index].yamsOverThis = yams / mine
            }
        }
    }
}
