import Foundation

/// One path on one shape at one size, measured.
struct SizeResult: Sendable {
    var targetBytes: Int
    var bytes: Int
    var runs: Int
    var medianNanoseconds: Double
    var peak: PeakMemory?

    var nanosecondsPerByte: Double { medianNanoseconds / Double(max(1, bytes)) }
}

/// One path on one shape at every size, and its verdict.
struct CaseResult: Sendable {
    var path: LinearPath
    var shape: Shape
    var sizes: [SizeResult]
    var error: String?

    /// Time per byte at the largest size over that at the smallest.
    var timeRatio: Double? {
        guard let first = sizes.first, let last = sizes.last, first.nanosecondsPerByte > 0 else { return nil }
        return last.nanosecondsPerByte / first.nanosecondsPerByte
    }

    /// The size whose peak is furthest over its bound, as (judged bytes − constant) ÷ input,
    /// where the judged bytes are the extra memory, less the value's own heap for `decode`
    /// (``PeakMemory/judgedBytes``).
    func worstMemory(constant: Int) -> (size: SizeResult, multiple: Double)? {
        sizes.compactMap { size in
            size.peak.map { (size, Double($0.judgedBytes - constant) / Double(max(1, size.bytes))) }
        }.max { $0.multiple < $1.multiple }
    }
}

/// Runs every path on every shape at every size.
struct Benchmark {
    var options: Options

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    func run() async -> [CaseResult] {
        let plan: TimingPlan = options.quick ? .quick : .full
        var results: [CaseResult] = []
        for path in options.paths {
            for shape in options.shapes where path.applies(to: shape) {
                progress("\(path.rawValue) \(shape.rawValue)")
                results.append(await measure(path, shape, plan: plan))
            }
        }
        return results
    }

    private func measure(_ path: LinearPath, _ shape: Shape, plan: TimingPlan) async -> CaseResult {
        var result = CaseResult(path: path, shape: shape, sizes: [])
        do {
            var prepared: [PreparedCase] = []
            for size in options.sizes { prepared.append(try await path.prepare(shape, targetBytes: size)) }
            let samples = try await measureInterleaved(plan, prepared)
            result.sizes = zip(options.sizes, zip(prepared, samples)).map { target, pair in
                SizeResult(targetBytes: target, bytes: pair.0.bytes, runs: pair.1.count, medianNanoseconds: median(pair.1))
            }
        } catch {
            result.error = "\(error)"
            progress("  \(error)")
            return result
        }
        if options.measurePeak && PeakMemoryProbe.isSupported {
            for index in result.sizes.indices {
                do {
                    result.sizes[index].peak = try PeakMemoryProbe.measure(
                        path, shape, targetBytes: result.sizes[index].targetBytes)
                } catch {
                    result.error = "\(error)"
                    progress("  \(error)")
                }
            }
        }
        return result
    }
}
