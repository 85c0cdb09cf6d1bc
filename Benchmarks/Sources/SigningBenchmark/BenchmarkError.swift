/// Why the benchmark stopped: a setup step or a contender that failed.
/// A benchmark that measured failures would be worthless, so every
/// contender's result is checked and a wrong one ends the run.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    /// What failed underneath, when it was an error of its own.
    var underlying: (any Error)?

    init(_ description: String, underlying: (any Error)? = nil) {
        self.description = underlying.map { "\(description): \($0)" } ?? description
        self.underlying = underlying
    }
}
