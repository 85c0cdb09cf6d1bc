#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long and how often each operation is timed.
struct TimingPlan: Sendable {
    /// Untimed runs before measuring (caches, lazy metadata, allocator warm-up).
    var warmupRuns: Int
    /// Untimed warm-up continues until this much time has passed (or `warmupRuns` are done, whichever is later).
    var warmupSeconds: Double
    /// Timed runs continue until both limits are reached ...
    var minimumRuns: Int
    var minimumSeconds: Double
    /// ... or this many runs were made.
    var maximumRuns: Int
    /// Operations take turns in slices of about this long.
    var sliceSeconds: Double

    static let full = TimingPlan(
        warmupRuns: 1, warmupSeconds: 0.3, minimumRuns: 7, minimumSeconds: 1.5, maximumRuns: 50_000,
        sliceSeconds: 0.05)
    static let quick = TimingPlan(
        warmupRuns: 1, warmupSeconds: 0, minimumRuns: 2, minimumSeconds: 0.02, maximumRuns: 200,
        sliceSeconds: 0.005)
}

/// Timing statistics of one operation on one document, in nanoseconds per document.
struct TimingStats: Sendable {
    var runs: Int
    var median: Double
    var p90: Double
    var minimum: Double

    init(samples: [Double]) {
        let sorted = samples.sorted()
        runs = sorted.count
        minimum = sorted.first ?? 0
        median = Self.percentile(sorted, 0.5)
        p90 = Self.percentile(sorted, 0.9)
    }

    /// Nearest-rank percentile of sorted samples (median of an even count: mean of the middle two).
    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        if fraction == 0.5 {
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}

/// Monotonic time in nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Keeps a result alive and opaque to the optimizer, so the work producing it cannot be removed.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Times several operations on one document, one sample per run. After a
/// warm-up of each, they take turns in rounds of short slices, so that a
/// burst of load from elsewhere on the machine falls on all of them alike
/// rather than on whichever ran at that moment. An operation leaves the
/// rotation once it has its minimum runs and time.
func measureInterleaved(_ plan: TimingPlan, _ bodies: [() throws -> Void]) throws -> [TimingStats] {
    for body in bodies {
        let warmupStart = nowNanoseconds()
        var warmups = 0
        while warmups < plan.warmupRuns || Double(nowNanoseconds() - warmupStart) < plan.warmupSeconds * 1e9 {
            try body()
            warmups += 1
        }
    }
    var samples = [[Double]](repeating: [], count: bodies.count)
    var elapsed = [Double](repeating: 0, count: bodies.count)
    func isDone(_ index: Int) -> Bool {
        samples[index].count >= plan.maximumRuns
            || (samples[index].count >= plan.minimumRuns && elapsed[index] >= plan.minimumSeconds * 1e9)
    }
    while !bodies.indices.allSatisfy(isDone) {
        for (index, body) in bodies.enumerated() where !isDone(index) {
            let sliceStart = nowNanoseconds()
            repeat {
                let before = nowNanoseconds()
                try body()
                let after = nowNanoseconds()
                samples[index].append(Double(after - before))
                elapsed[index] += Double(after - before)
            } while Double(nowNanoseconds() - sliceStart) < plan.sliceSeconds * 1e9 && !isDone(index)
        }
    }
    return samples.map(TimingStats.init(samples:))
}
