#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How often each size is run.
struct TimingPlan: Sendable {
    /// A size is done once it has this many runs and this much timed work.
    var minimumRuns: Int
    var minimumSeconds: Double
    var maximumRuns: Int
    /// Sizes take turns in slices of about this long.
    var sliceSeconds: Double

    static let full = TimingPlan(minimumRuns: 7, minimumSeconds: 0.25, maximumRuns: 5_000, sliceSeconds: 0.03)
    static let quick = TimingPlan(minimumRuns: 3, minimumSeconds: 0.02, maximumRuns: 200, sliceSeconds: 0.01)
}

/// Monotonic time in nanoseconds.
func nowNanoseconds() -> UInt64 {
    clockNanoseconds(CLOCK_MONOTONIC)
}

/// CPU time this process has used, in nanoseconds. The runs are timed in
/// CPU time rather than wall time: on a machine shared with other builds,
/// the time a run waits for a core is not work it did, and would make the
/// ratio between sizes a measure of the load instead of the code.
func cpuNanoseconds() -> UInt64 {
    clockNanoseconds(CLOCK_PROCESS_CPUTIME_ID)
}

private func clockNanoseconds(_ clock: clockid_t) -> UInt64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// The median of samples (the mean of the middle two for an even count).
func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Times the sizes of one path on one shape, one sample (CPU time) per run. The sizes
/// take turns in short slices, so that load from elsewhere on the machine
/// (other builds) falls on all of them alike: the ratio between sizes is
/// what the benchmark judges. Returns the samples of each, in nanoseconds.
func measureInterleaved(_ plan: TimingPlan, _ cases: [PreparedCase]) async throws -> [[Double]] {
    var samples = [[Double]](repeating: [], count: cases.count)
    var elapsed = [Double](repeating: 0, count: cases.count)
    func isDone(_ index: Int) -> Bool {
        samples[index].count >= plan.maximumRuns
            || (samples[index].count >= plan.minimumRuns && elapsed[index] >= plan.minimumSeconds * 1e9)
    }
    while !cases.indices.allSatisfy(isDone) {
        for (index, prepared) in cases.enumerated() where !isDone(index) {
            let sliceStart = nowNanoseconds()
            repeat {
                let before = cpuNanoseconds()
                blackHole(try await prepared.run())
                let after = cpuNanoseconds()
                samples[index].append(Double(after - before))
                elapsed[index] += Double(after - before)
            } while Double(nowNanoseconds() - sliceStart) < plan.sliceSeconds * 1e9 && !isDone(index)
        }
    }
    return samples
}
