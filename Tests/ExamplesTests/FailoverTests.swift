import ExperimentKit
import Foundation
import GitServerFixtures
import Giter
import Subprocess
import Synchronization
import Testing

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Two consumers with `--leader-election` against one bare repository: one
/// reconciles; killed with SIGKILL, the other takes over. Every wait has a
/// deadline; nothing sleeps.
@Suite("Failover of the example consumer", .serialized)
struct FailoverTests {
    /// A consumer process started for the length of a test, its output kept.
    final class Replica: Sendable {
        let runner: String
        let printed = Mutex(Data())
        /// Told of every chunk the process prints, when given.
        let printing: AsyncStream<Void>.Continuation?

        init(runner: String, printing: AsyncStream<Void>.Continuation? = nil) {
            self.runner = runner
            self.printing = printing
        }

        var log: String { String(decoding: printed.withLock { $0 }, as: UTF8.self) }

        /// Runs the consumer while `body` runs; `body` gets a function that
        /// kills it with SIGKILL.
        func running<T: Sendable>(
            _ arguments: [String], _ body: @escaping @Sendable (@escaping @Sendable () -> Void) async throws -> T
        ) async throws -> T {
            let output = Pipe()
            output.fileHandleForReading.readabilityHandler = { [self] handle in
                let chunk = handle.availableData
                if chunk.isEmpty {
                    handle.readabilityHandler = nil
                } else {
                    printed.withLock { $0 += chunk }
                    printing?.yield()
                }
            }
            defer { try? output.fileHandleForWriting.close() }
            let writer = FileDescriptor(rawValue: output.fileHandleForWriting.fileDescriptor)
            let result = try await Subprocess.run(
                .path(FilePath(try ExecutablesTests.productsFolder() + "/experiment-consumer")),
                arguments: Arguments(arguments + ["--runner", runner]), input: .none,
                output: .fileDescriptor(writer, closeAfterSpawningProcess: false),
                error: .fileDescriptor(writer, closeAfterSpawningProcess: false)
            ) { execution -> T in
                defer { try? execution.send(signal: .terminate) }
                return try await body { try? execution.send(signal: .kill) }
            }
            return result.closureResult
        }
    }

    @Test(
        "--leader-election: one of two consumers reconciles; SIGKILLed, the standby takes over and reconciles a new spec",
        .timeLimit(.minutes(4)))
    func standbyTakesOverAfterSIGKILL() async throws {
        try await Self.withExchange("giter-failover") { folder, repository, remote in
        let election = ["--leader-election", "--lease-duration", "6"]
        let first = Replica(runner: "first")
        let second = Replica(runner: "second")

        try await first.running(remote + election + ["--cache", folder + "/first"]) { killFirst in
            try await second.running(remote + election + ["--cache", folder + "/second"]) { killSecond in
                let logs = { "first:\n\(first.log)\nsecond:\n\(second.log)" }
                let produced = try await ExecutablesTests.run(
                    "experiment-producer",
                    remote + ["--cache", folder + "/producer", "--count", "1", "--scale", "0.01", "--timeout", "90", "--batch", "f1"])
                try #require(produced.status == 0, "\(produced.output)\n\(logs())")
                let leader = produced.output.contains("on first") ? "first" : "second"
                try #require(produced.output.contains("on \(leader)"), "\(produced.output)")
                let standby = leader == "first" ? "second" : "first"
                #expect(!(leader == "first" ? second.log : first.log).contains("experiment done"), "the standby ran nothing")

                (leader == "first" ? killFirst : killSecond)()
                let afterKill = try await ExecutablesTests.run(
                    "experiment-producer",
                    remote + ["--cache", folder + "/producer", "--count", "1", "--scale", "0.01", "--timeout", "90", "--batch", "f2"])
                #expect(afterKill.status == 0, "\(afterKill.output)\n\(logs())")
                #expect(afterKill.output.contains("on \(standby)"), "\(afterKill.output)\n\(logs())")
                // The lease changed hands: generation 2, and the status commits say so.
                let lease = try await LocalExchangeRepository.git([
                    "--git-dir", repository.path, "log", "-1", "--format=%B", "refs/giter/leases/consumer",
                ])
                #expect(lease.contains("Giter-Lease-Generation: 2"), "\(lease)")
                let tokens = try await LocalExchangeRepository.git([
                    "--git-dir", repository.path, "log", "--format=%(trailers:key=Giter-Lease,valueonly)", "main",
                ])
                #expect(tokens.contains("consumer generation=1") && tokens.contains("consumer generation=2"), "\(tokens)")
            }
        }
        }
    }
    @Test(
        "--shards auto: two consumers split the experiments; SIGKILLed, one's shards go to the other",
        .timeLimit(.minutes(4)))
    func shardsOfAKilledReplicaAreTakenOver() async throws {
        try await Self.withExchange("giter-shards") { folder, repository, remote in
        let sharding = ["--shards", "auto", "--lease-duration", "6"]
        let (output, outputInput) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let first = Replica(runner: "first", printing: outputInput)
        let second = Replica(runner: "second", printing: outputInput)

        try await first.running(remote + sharding + ["--cache", folder + "/first"]) { killFirst in
            try await second.running(remote + sharding + ["--cache", folder + "/second"]) { _ in
                let logs = { "first:\n\(first.log)\nsecond:\n\(second.log)" }
                // Await the even split, 8 of the 16 shard leases held (not released) by each, looking
                // again whenever a replica prints something (it logs each change of the shards it owns).
                let holders = try await withDeadline(.seconds(60)) {
                    var holders: [String: Int] = [:]
                    for await _ in output {
                        holders = try await Self.shardLeases(repository.path).values.filter { !$0.released }
                            .reduce(into: [:]) { $0[$1.holder, default: 0] += 1 }
                        if holders["first"] == 8 && holders["second"] == 8 { break }
                    }
                    return holders
                }
                try #require(holders["first"] == 8 && holders["second"] == 8, "the shards never split evenly: \(holders)\n\(logs())")
                func produce(_ batch: String) async throws -> [String] {
                    let produced = try await ExecutablesTests.run(
                        "experiment-producer",
                        remote + ["--cache", folder + "/producer", "--count", "16", "--scale", "0.01", "--timeout", "90", "--batch", batch])
                    try #require(produced.status == 0, "\(produced.output)\n\(logs())")
                    return produced.output.split(separator: "\n").filter { $0.contains(" on first") || $0.contains(" on second") }
                        .map(String.init)
                }
                let before = try await produce("s1")
                #expect(before.contains { $0.contains(" on first") } && before.contains { $0.contains(" on second") }, "\(before)")
                let runs = first.log.components(separatedBy: "experiment done").count + second.log.components(separatedBy: "experiment done").count - 2
                #expect(runs == 16, "each experiment runs once, by one replica: \(runs)\n\(logs())")

                // The first's shards and their generations, and the branch, before it dies.
                let firstShards = try await Self.shardLeases(repository.path).filter { $0.value.holder == "first" && !$0.value.released }
                let killedAt = try await LocalExchangeRepository.git(["--git-dir", repository.path, "rev-parse", "main"])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                killFirst()
                let after = try await produce("s2")
                #expect(!after.isEmpty && after.allSatisfy { $0.contains(" on second") }, "\(after)\n\(logs())")
                // What the survivor wrote in the dead replica's shards, it wrote under their next generation.
                let tokens = try await LocalExchangeRepository.git([
                    "--git-dir", repository.path, "log", "--format=%(trailers:key=Giter-Lease,valueonly,separator=%x0A)",
                    "\(killedAt)..main",
                ]).split(separator: "\n").compactMap { FencingToken(trailerValue: String($0)) }
                let taken = tokens.filter { token in firstShards.keys.contains { "consumer-shard-\($0)" == token.lease } }
                #expect(!taken.isEmpty, "no status of the dead replica's shards was written after it died: \(tokens)")
                for token in taken {
                    let shard = Int(token.lease.dropFirst("consumer-shard-".count)) ?? -1
                    #expect(token.generation == (firstShards[shard]?.generation ?? 0) + 1, "\(token) after \(firstShards)")
                }
            }
        }
        }
    }

    /// A bare exchange repository in a fresh folder for the length of `body`,
    /// with the consumers' `--remote` arguments (polling every 0.2 s).
    static func withExchange(
        _ prefix: String, _ body: (String, LocalExchangeRepository, [String]) async throws -> Void
    ) async throws {
        let folder = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try await LocalExchangeRepository.create(at: folder + "/lab.git")
        try await body(folder, repository, ["--remote", repository.path, "--poll-interval", "0.2"])
    }

    /// The shard leases: holder's runner name, generation, and whether released (a 1 ms renewal).
    static func shardLeases(_ repository: String) async throws -> [Int: (holder: String, generation: UInt64, released: Bool)] {
        let listing = try await LocalExchangeRepository.git([
            "--git-dir", repository, "log", "--no-walk", "--glob=giter/leases/*",
            "--format=%s|%(trailers:key=Giter-Lease-Duration-Ms,valueonly,separator=%x2C)|%(trailers:key=Giter-Lease-Holder,valueonly,separator=%x2C)|%(trailers:key=Giter-Lease-Generation,valueonly,separator=%x2C)",
        ])
        var leases: [Int: (holder: String, generation: UInt64, released: Bool)] = [:]
        for line in listing.split(separator: "\n") where line.hasPrefix("lease consumer-shard-") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count == 4, let shard = Int(fields[0].dropFirst("lease consumer-shard-".count)),
                let runner = fields[2].split(separator: " ").first, let generation = UInt64(fields[3])
            else { continue }
            leases[shard] = (String(runner), generation, fields[1] == "1")
        }
        return leases
    }
}
