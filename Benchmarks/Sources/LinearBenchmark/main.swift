import Foundation

// LinearBenchmark: every reader and writer path of Giter over input shapes
// from 10 KB to 4 MB, time per byte and peak memory (issue 12).
// See Documentation/Performance.md, "Linear work (issue 12)".

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    if arguments.first == PeakMemoryProbe.flag {
        guard arguments.count == 4, let path = LinearPath(rawValue: arguments[1]), let shape = Shape(rawValue: arguments[2]),
            let bytes = Int(arguments[3])
        else { throw LinearError.usage("\(PeakMemoryProbe.flag) PATH SHAPE BYTES") }
        try await PeakMemoryProbe.runChild(path, shape, targetBytes: bytes, warmupBytes: 10_000)
    } else if arguments.first == EncodeDigest.flag {
        let sizes = arguments.count > 1 ? arguments[1].split(separator: ",").compactMap { Int($0) } : [10_000, 640_000, 4_000_000]
        try EncodeDigest.run(sizes: sizes)
    } else if arguments.contains("--help") || arguments.contains("-h") {
        print(Options.usage)
    } else {
        let options = try Options(arguments: arguments)
        let loadBefore = Report.loadAverage()
        let results = await Benchmark(options: options).run()
        let report = Report(options: options, results: results, loadBefore: loadBefore, loadAfter: Report.loadAverage())
        print(report.render())
        exit(report.allPass ? 0 : 1)
    }
} catch {
    FileHandle.standardError.write(Data("LinearBenchmark: \(error)\n".utf8))
    exit(2)
}
