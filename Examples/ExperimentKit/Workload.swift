/// The computations an experiment can ask for: a fixed list of built-in,
/// deterministic, bounded workloads.
///
/// A spec names one of these by its raw value; the consumer runs the
/// matching Swift function and nothing else. No text from a spec is ever
/// executed, interpreted or passed to a shell.
///
/// | Workload | `size` means | Output hashed into the digest |
/// |---|---|---|
/// | ``sha256Chain`` | rounds of SHA-256 | the last hash |
/// | ``primeSieve`` | the sieve's upper bound | the primes up to `size` |
/// | ``sortGeneratedData`` | how many 64-bit values | the sorted values |
public enum Workload: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Hashes a seed-derived 32-byte value `size` times with SHA-256.
    case sha256Chain
    /// Finds every prime up to `size` with the sieve of Eratosthenes.
    case primeSieve
    /// Generates `size` pseudo-random 64-bit values from the seed and sorts them (LSD radix sort).
    case sortGeneratedData

    public var description: String { rawValue }

    /// The sizes a spec may ask for: bounded so that one repetition stays
    /// within a few seconds of CPU time and tens of megabytes of memory.
    public var sizeRange: ClosedRange<Int> {
        switch self {
        case .sha256Chain: 1...5_000_000
        case .primeSieve: 2...50_000_000
        case .sortGeneratedData: 1...4_000_000
        }
    }

    /// What `size` counts, for messages.
    public var sizeUnit: String {
        switch self {
        case .sha256Chain: "rounds"
        case .primeSieve: "upper bound"
        case .sortGeneratedData: "values"
        }
    }

    /// A short name for tables: `sha256`, `sieve`, `sort`.
    public var shortName: String {
        switch self {
        case .sha256Chain: "sha256"
        case .primeSieve: "sieve"
        case .sortGeneratedData: "sort"
        }
    }

    /// Runs the workload once and returns its output's digest and a one-line summary.
    ///
    /// The result depends only on `size` and `seed`. The caller checks
    /// `size` against ``sizeRange`` first (``ExperimentSpec/validated()``);
    /// this function clamps it anyway, so it never allocates more than the
    /// bound allows.
    public func compute(size: Int, seed: UInt64) -> WorkloadOutput {
        let size = min(max(size, sizeRange.lowerBound), sizeRange.upperBound)
        switch self {
        case .sha256Chain:
            return Self.sha256Chain(rounds: size, seed: seed)
        case .primeSieve:
            let primes = Self.primes(upTo: size)
            var hasher = SHA256()
            for prime in primes { hasher.update(littleEndian: UInt64(prime)) }
            let largest = primes.last.map { ", largest \($0)" } ?? ""
            return WorkloadOutput(
                digest: SHA256.hex(hasher.finalize()),
                summary: "\(primes.count) primes up to \(size)\(largest)"
            )
        case .sortGeneratedData:
            var values = Self.generate(count: size, seed: seed)
            Self.radixSort(&values)
            var hasher = SHA256()
            for value in values { hasher.update(littleEndian: value) }
            let range = values.first.map { "\($0)…\(values[values.count - 1])" } ?? "empty"
            return WorkloadOutput(digest: SHA256.hex(hasher.finalize()), summary: "\(size) values sorted, \(range)")
        }
    }
}

/// What one run of a ``Workload`` produced.
public struct WorkloadOutput: Sendable, Hashable {
    /// The SHA-256 of the output, in hexadecimal: what the producer checks.
    public var digest: String
    /// A one-line description of the output, for people.
    public var summary: String

    /// An output from its parts.
    public init(digest: String, summary: String) {
        self.digest = digest
        self.summary = summary
    }
}
