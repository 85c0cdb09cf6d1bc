import Foundation
import Giter
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `giter get -w`: a running watcher prints each change another process
/// makes. The test never sleeps: it awaits each printed line, and a
/// watchdog kills the watcher after a time limit, which ends the stream
/// and fails the test.
@Suite("giter get --watch")
struct GetWatchCommandTests {
    /// Standard output of a running process, line by line.
    struct OutputLines {
        var iterator: AsyncStream<Data>.Iterator
        var pending = ""
        var seen: [String] = []

        /// The next line that satisfies `predicate`; `nil` when output ends first.
        mutating func next(where predicate: (String) -> Bool) async -> String? {
            while true {
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending.removeSubrange(...newline)
                    seen.append(line)
                    if predicate(line) { return line }
                }
                guard let chunk = await iterator.next() else { return nil }
                pending += String(decoding: chunk, as: UTF8.self)
            }
        }
    }

    /// Starts `giter get …` with its own mirror, its standard output as lines.
    static func watcher(_ arguments: [String], _ fixture: ExchangeFixture) throws -> (Process, OutputLines) {
        let process = Process()
        process.executableURL = try GiterProcess.executable()
        process.currentDirectoryURL = fixture.directory.url
        var options = fixture.options
        if let cache = options.firstIndex(of: "--cache") {
            options[cache + 1] = fixture.directory.url.appendingPathComponent("mirror-watcher").path
        }
        process.arguments = arguments + options
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITER_") }
        process.standardError = FileHandle.nullDevice
        let output = Pipe()
        let printed = AsyncStream<Data>.makeStream()
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                printed.continuation.finish()
            } else {
                printed.continuation.yield(chunk)
            }
        }
        process.standardOutput = output
        try process.run()
        return (process, OutputLines(iterator: printed.stream.makeAsyncIterator()))
    }

    /// Kills `process` after `limit`, unless cancelled first.
    static func watchdog(_ process: Process, after limit: Duration = .seconds(90)) -> Task<Void, Never> {
        let pid = process.processIdentifier
        return Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            kill(pid, SIGKILL)
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func watchPrintsEachChangeWithItsEvent(_ backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        try await fixture.apply(ExchangeFixture.experiment("sort-1"))
        let (process, lines) = try Self.watcher(
            ["get", "experiments", "-w", "--output-watch-events", "--interval", "50ms"],
            fixture
        )
        var output = lines
        let watchdog = Self.watchdog(process)
        defer {
            watchdog.cancel()
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
        func row(_ expected: [String]) async -> Bool {
            await output.next { Array(cells($0).prefix(expected.count)) == expected } != nil
        }
        #expect(await row(["EVENT", "NAME", "GENERATION", "OBSERVED", "READY", "AGE"]), "\(output.seen)")
        #expect(await row(["ADDED", "sort-1", "1", "-", "-"]), "\(output.seen)")

        // Each change, made by another process, is printed as a row of its own, no header again.
        try await fixture.apply(ExchangeFixture.experiment("sort-1", size: 2000))
        #expect(await row(["MODIFIED", "sort-1", "2", "-", "-"]), "\(output.seen)")
        try await fixture.writeStatus("sort-1")
        #expect(await row(["MODIFIED", "sort-1", "2", "2", "True"]), "\(output.seen)")
        try await fixture.apply(ExchangeFixture.experiment("sieve-2"))
        #expect(await row(["ADDED", "sieve-2", "1", "-", "-"]), "\(output.seen)")
        let deleted = try await fixture.giter(["delete", "Experiment/sort-1"])
        try #require(deleted.status == 0, "\(deleted)")
        #expect(await row(["DELETED", "sort-1", "2", "2", "True"]), "\(output.seen)")
        #expect(output.seen.filter { $0.hasPrefix("EVENT") }.count == 1, "\(output.seen)")
        #expect(process.isRunning, "the watcher runs until stopped")
    }

    @Test(arguments: ToolBackend.allCases)
    func watchOnlyLeavesOutTheListing(_ backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        try await fixture.apply(ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sieve-2"))
        let (process, lines) = try Self.watcher(
            ["get", "experiments", "--watch-only", "-o", "json", "--interval", "50ms"],
            fixture
        )
        var output = lines
        let watchdog = Self.watchdog(process)
        defer {
            watchdog.cancel()
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
        // Nothing tells when the watcher has made its first listing (it prints
        // nothing), so sieve-2 keeps changing until a change is printed; sort-1
        // never changes, so the first line must be sieve-2.
        let options = fixture.options
        let folder = fixture.directory.url
        let changer = Task {
            var size = 1
            while !Task.isCancelled {
                _ = try? await GiterProcess.run(
                    ["apply", "-f", "-"] + options,
                    stdin: ExchangeFixture.experiment("sieve-2", size: size),
                    in: folder
                )
                size += 1
            }
        }
        let line = await output.next { _ in true }
        changer.cancel()
        await changer.value
        let document = try JSONReader().read(try #require(line, "\(output.seen)"))
        #expect(document["metadata"]?["name"]?.string == "sieve-2", "\(output.seen)")
        #expect((document["spec"]?["size"]?.number?.integer(as: Int.self) ?? 0) >= 1)
    }

    @Test(arguments: ToolBackend.allCases)
    func watchPrintsTheListingThenEachChangeAsAJSONLine(_ backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        try await fixture.apply(ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sieve-2"))
        let (process, lines) = try Self.watcher(
            ["get", "experiments", "-w", "-o", "json", "--interval", "50ms"],
            fixture
        )
        var output = lines
        let watchdog = Self.watchdog(process)
        defer {
            watchdog.cancel()
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
        func name(_ line: String?) -> String? { (try? JSONReader().read(line ?? ""))?["metadata"]?["name"]?.string }
        #expect(name(await output.next { _ in true }) == "sieve-2", "\(output.seen)")
        #expect(name(await output.next { _ in true }) == "sort-1", "\(output.seen)")
        try await fixture.apply(ExchangeFixture.experiment("sieve-2", size: 5))
        let line = try #require(await output.next { _ in true }, "\(output.seen)")
        let document = try JSONReader().read(line)
        #expect(document["metadata"]?["name"]?.string == "sieve-2")
        #expect(document["spec"]?["size"] == 5)
        #expect(output.seen.count == 3, "\(output.seen)")
    }

    @Test func watchRefusesArchived() async throws {
        let fixture = try await ExchangeFixture()
        let result = try await fixture.giter(["get", "experiments", "-w", "--archived"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--watch follows live resources"), "\(result.stderr)")
    }
}
