// Encrypted fields (issue 15, part 3): what sealing and opening one value
// costs, and how much larger the file gets, by value size and number of
// recipients (run-encryption.sh). Release build; medians of --runs runs,
// each the mean over enough operations to last about 50 ms.

import Foundation
import Giter
import GiterCodec

struct Options {
    var runs = 5
    var quick = false

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--runs":
                guard let text = rest.popFirst(), let runs = Int(text), runs > 0 else {
                    throw BenchmarkError("--runs takes a positive number")
                }
                self.runs = runs
            case "--quick": quick = true
            default: throw BenchmarkError("unknown argument \(argument); use --runs N or --quick")
            }
        }
        if quick { runs = min(runs, 2) }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The mean time of one `operation`, in microseconds, over about `budget`.
func meanMicroseconds(budget: Duration, _ operation: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var count = 0
    let start = clock.now
    repeat {
        try operation()
        count += 1
    } while clock.now - start < budget
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds / Double(count) * 1e6
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let budget: Duration = options.quick ? .milliseconds(10) : .milliseconds(50)
    let resource = ResourceKey(namespace: "lab", kind: "Vault", name: "vault-1")
    let keys = try (0..<10).map { try EncryptionPrivateKey.generate(id: "member-\($0)") }
    let sizes = [32, 1024, 65_536]
    let recipientCounts = [1, 3, 10]
    print("| value | recipients | seal (µs) | open (µs) | value JSON (bytes) | envelope text (bytes) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in sizes {
        let value = Node.string(String(repeating: "s", count: size))
        for recipients in recipientCounts {
            let publicKeys = keys.prefix(recipients).map(\.publicKey)
            // The reader holds the last recipient's key: opening scans the entries before it.
            let keyring = FieldKeyring([keys[recipients - 1]])
            var seals: [Double] = []
            var opens: [Double] = []
            var envelope = ""
            for _ in 0..<options.runs {
                seals.append(
                    try meanMicroseconds(budget: budget) {
                        envelope = try FieldSealing.seal(value, resource: resource, field: "spec.password", recipients: publicKeys)
                    })
                opens.append(
                    try meanMicroseconds(budget: budget) {
                        let opened = try FieldSealing.open(envelope, resource: resource, field: "spec.password", keyring: keyring)
                        guard opened.string?.utf8.count == size else { throw BenchmarkError("opened a different value") }
                    })
            }
            print(
                "| \(size) B | \(recipients) | \(String(format: "%.1f", median(seals))) | "
                    + "\(String(format: "%.1f", median(opens))) | \(size + 2) | \(envelope.utf8.count) |")
            FileHandle.standardError.write(Data("done: \(size) B, \(recipients) recipients\n".utf8))
        }
    }
} catch {
    FileHandle.standardError.write(Data("EncryptionBenchmark: \(error)\n".utf8))
    exit(1)
}
