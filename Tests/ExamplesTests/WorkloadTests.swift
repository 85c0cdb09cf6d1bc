import ExperimentKit
import Testing

@Suite("The example's workloads")
struct WorkloadTests {
    @Test(
        "SHA-256 of the FIPS 180-4 test messages",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ]
    )
    func sha256KnownAnswers(message: String, digest: String) {
        #expect(SHA256.hex(SHA256.hash(Array(message.utf8))) == digest)
    }

    @Test("SHA-256 of a million a's, fed in uneven pieces")
    func sha256LongMessageInPieces() {
        var hasher = SHA256()
        var remaining = 1_000_000
        var piece = 1
        while remaining > 0 {
            let size = min(piece, remaining)
            hasher.update(repeatElement(UInt8(ascii: "a"), count: size))
            remaining -= size
            piece = piece % 97 + 13
        }
        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("A little-endian word hashes like its eight bytes")
    func sha256LittleEndianWords() {
        var words = SHA256()
        words.update(littleEndian: 0x0102_0304_0506_0708)
        #expect(words.finalize() == SHA256.hash([8, 7, 6, 5, 4, 3, 2, 1]))
    }

    @Test("A SHA-256 chain hashes the seed's start value once per round")
    func sha256Chain() {
        let start = Workload.chainStart(seed: 42)
        #expect(start == SHA256.hash(Array("giter-experiment:42".utf8)))
        let twice = SHA256.hash(SHA256.hash(start))
        #expect(Workload.sha256Chain(rounds: 2, seed: 42).digest == SHA256.hex(twice))
        #expect(Workload.sha256Chain(rounds: 0, seed: 42).digest == SHA256.hex(start))
        #expect(Workload.sha256Chain(rounds: 2, seed: 43).digest != SHA256.hex(twice))
    }

    @Test(
        "The sieve counts the primes up to a bound",
        arguments: [(2, 1), (3, 2), (10, 4), (100, 25), (1000, 168), (7919, 1000), (100_000, 9592), (1_000_000, 78498)]
    )
    func primeCounts(limit: Int, count: Int) {
        #expect(Workload.primes(upTo: limit).count == count)
    }

    @Test("The sieve lists exactly the primes")
    func primesAreThePrimes() {
        #expect(Workload.primes(upTo: 50) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47])
        #expect(Workload.primes(upTo: 1).isEmpty)
        let primes = Set(Workload.primes(upTo: 10_000))
        for candidate in 2...10_000 {
            let isPrime = (2..<candidate).prefix { $0 * $0 <= candidate }.allSatisfy { candidate % $0 != 0 }
            #expect(primes.contains(candidate) == isPrime, "\(candidate)")
        }
    }

    @Test(
        "Generated data is reproducible and radix sort agrees with the standard library",
        arguments: [0, 1, 2, 1000, 70_000]
    )
    func sortGeneratedData(count: Int) {
        let values = Workload.generate(count: count, seed: 9)
        #expect(values == Workload.generate(count: count, seed: 9))
        #expect(values.count == count)
        var sorted = values
        Workload.radixSort(&sorted)
        #expect(sorted == values.sorted())
        #expect(Workload.isSorted(sorted))
        if count > 10 {
            #expect(!Workload.isSorted(values))
            #expect(Set(values).count > count * 9 / 10, "the generator should not repeat itself")
        }
    }

    @Test("Radix sort handles duplicates and extremes")
    func radixSortEdgeCases() {
        var values: [UInt64] = [5, .max, 0, 5, 1 << 48, 1 << 16, .max, 0, 65535]
        Workload.radixSort(&values)
        #expect(values == [0, 0, 5, 5, 65535, 1 << 16, 1 << 48, .max, .max])
    }

    @Test("Each workload's digest depends on size and seed only", arguments: Workload.allCases)
    func deterministicDigests(workload: Workload) {
        let size = workload == .primeSieve ? 5000 : 500
        let first = workload.compute(size: size, seed: 3)
        #expect(first == workload.compute(size: size, seed: 3))
        #expect(first.digest.count == 64)
        #expect(first.digest != workload.compute(size: size * 2, seed: 3).digest)
        if workload != .primeSieve {
            #expect(first.digest != workload.compute(size: size, seed: 4).digest)
        }
    }

    @Test("The prime sieve's digest hashes the primes as 64-bit little-endian words")
    func sieveDigest() {
        var hasher = SHA256()
        for prime in [2, 3, 5, 7] { hasher.update(littleEndian: UInt64(prime)) }
        let output = Workload.primeSieve.compute(size: 10, seed: 0)
        #expect(output.digest == SHA256.hex(hasher.finalize()))
        #expect(output.summary == "4 primes up to 10, largest 7")
    }

    @Test("compute clamps sizes to the workload's bounds instead of allocating more")
    func computeClamps() {
        #expect(Workload.primeSieve.compute(size: -5, seed: 0) == Workload.primeSieve.compute(size: 2, seed: 0))
        #expect(Workload.sha256Chain.compute(size: 0, seed: 1) == Workload.sha256Chain.compute(size: 1, seed: 1))
    }
}
