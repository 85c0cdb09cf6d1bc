/// The computations behind each ``Workload``, exposed for tests and for
/// producers that want to check results piece by piece.
extension Workload {
    /// The bytes a SHA-256 chain starts from: the hash of `giter-experiment:<seed>`.
    public static func chainStart(seed: UInt64) -> [UInt8] {
        SHA256.hash(Array("giter-experiment:\(seed)".utf8))
    }

    /// Hashes ``chainStart(seed:)`` `rounds` more times.
    public static func sha256Chain(rounds: Int, seed: UInt64) -> WorkloadOutput {
        var value = chainStart(seed: seed)
        for _ in 0..<max(rounds, 0) {
            value = SHA256.hash(value)
        }
        return WorkloadOutput(digest: SHA256.hex(value), summary: "\(max(rounds, 0)) SHA-256 rounds")
    }

    /// Every prime `p` with `2 <= p <= limit`, in order: a sieve of
    /// Eratosthenes over the odd numbers (one byte per odd number).
    public static func primes(upTo limit: Int) -> [Int] {
        guard limit >= 2 else { return [] }
        // Index i stands for the odd number 2i + 1.
        let count = (limit - 1) / 2 + 1
        var composite = [Bool](repeating: false, count: count)
        composite[0] = true  // 1 is not prime
        var odd = 3
        while odd * odd <= limit {
            if !composite[odd / 2] {
                var multiple = odd * odd
                while multiple <= limit {
                    composite[multiple / 2] = true
                    multiple += 2 * odd
                }
            }
            odd += 2
        }
        var primes = [2]
        primes.reserveCapacity(count / 4)
        for index in 1..<count where !composite[index] {
            primes.append(2 * index + 1)
        }
        return primes
    }

    /// `count` pseudo-random 64-bit values from `seed` (SplitMix64), the
    /// same on every machine.
    public static func generate(count: Int, seed: UInt64) -> [UInt64] {
        var state = seed
        var values: [UInt64] = []
        values.reserveCapacity(max(count, 0))
        for _ in 0..<max(count, 0) {
            state &+= 0x9e37_79b9_7f4a_7c15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
            values.append(mixed ^ (mixed >> 31))
        }
        return values
    }

    /// Sorts `values` in ascending order with a least-significant-digit
    /// radix sort: four passes of 16 bits through one scratch buffer.
    public static func radixSort(_ values: inout [UInt64]) {
        guard values.count > 1 else { return }
        var scratch = [UInt64](repeating: 0, count: values.count)
        var counts = [Int](repeating: 0, count: 1 << 16)
        for pass in 0..<4 {
            let shift = UInt64(pass * 16)
            for index in counts.indices { counts[index] = 0 }
            for value in values { counts[Int((value >> shift) & 0xffff)] += 1 }
            var total = 0
            for index in counts.indices {
                let count = counts[index]
                counts[index] = total
                total += count
            }
            for value in values {
                let digit = Int((value >> shift) & 0xffff)
                scratch[counts[digit]] = value
                counts[digit] += 1
            }
            swap(&values, &scratch)
        }
    }

    /// Whether `values` are in ascending order.
    public static func isSorted(_ values: [UInt64]) -> Bool {
        zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }
    }
}
