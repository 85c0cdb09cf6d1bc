import Foundation
import Giter
import GiterTesting
import Logging
import ServiceLifecycle
import Testing

/// Keeps the documents' Swift samples compiled and true.
@Suite("Documentation samples")
struct DocumentationSampleTests {
    /// The package root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Lines without indentation or repeated spaces; blank lines dropped.
    static func normalized(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            .filter { !$0.isEmpty }
    }

    /// Every ```swift block of README.md and Documentation/*.md, with its document's name.
    static func samples() throws -> [(document: String, block: String)] {
        var documents = [root.appendingPathComponent("README.md")]
        let folder = root.appendingPathComponent("Documentation")
        documents += try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
        var result: [(String, String)] = []
        for document in documents {
            var block: [Substring]?
            for line in try String(contentsOf: document, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
                if block == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                    block = []
                } else if let current = block, line.trimmingCharacters(in: .whitespaces) == "```" {
                    result.append((document.lastPathComponent, current.joined(separator: "\n")))
                    block = nil
                } else if block != nil {
                    block?.append(line)
                }
            }
        }
        return result
    }

    /// The normalized lines of every Swift file under Tests/.
    static func testSources() throws -> [[String]] {
        let tests = root.appendingPathComponent("Tests")
        guard let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil) else { return [] }
        return try files.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map {
            normalized(try String(contentsOf: $0, encoding: .utf8))
        }
    }

    static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }

    @Test func everySampleIsCompiledByATest() throws {
        let sources = try Self.testSources()
        let samples = try Self.samples()
        #expect(samples.count >= 9, "README.md, GettingStarted.md and WritingAReconciler.md have samples")
        for (document, block) in samples {
            // Manifest excerpts are not Swift the tests can compile.
            if block.hasPrefix("// Package.swift") { continue }
            // swift-otel must not become a dependency of the package (Documentation/Tracing.md): its sample is
            // the one that no test can compile.
            if block.hasPrefix("// With swift-otel") { continue }
            // Each paragraph of a sample (lines between blank lines) must appear as is in a test file.
            for paragraph in block.components(separatedBy: "\n\n") {
                // Imports may come in any order.
                let lines = Self.normalized(paragraph).filter { !$0.hasPrefix("import ") }
                for module in Self.normalized(paragraph).filter({ $0.hasPrefix("import ") }) {
                    #expect(sources.contains { $0.contains(module) }, "\(document): no test has '\(module)'")
                }
                #expect(
                    sources.contains { Self.contains($0, lines) },
                    "a sample in \(document) is not in any test file:\n\(paragraph)")
            }
        }
    }

    @Test func theInMemorySampleRuns() async throws {
        let report = try #require(try await renderOne())
        #expect(report.status?.isTrue("Ready") == true)
        #expect(report.status?.observedGeneration == 1)
        #expect(report.status?.url?.hasSuffix("/1.pdf") == true)
    }

    @Test func theTestClockSampleRendersOnThePollItAdvancesTo() async throws {
        // The sample awaits the controller; a real-time deadline turns a wait that never ends into a failure.
        let report = try await withThrowingTaskGroup(of: Report??.self) { group in
            group.addTask { try await renderOnTheNextPoll() }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        let rendered = try #require(report, "the sample did not finish within 60 seconds")
        #expect(rendered?.status?.isTrue("Ready") == true)
        #expect(rendered?.status?.observedGeneration == 1)
    }

    @Test func aServiceGroupsGracefulShutdownPushesThePendingStatus() async throws {
        let remote = InMemoryRemote()
        let type = ResourceType(apiVersion: "reports.example.com/v1", kind: "Report")
        let producer = Producer(
            store: remote.store(
                for: Report.self, type: type,
                identity: ExchangeIdentity(name: "Analytics", email: "analytics@example.com", role: .producer)))
        let consumer = remote.store(
            for: Report.self, type: type,
            identity: ExchangeIdentity(name: "Renderer", email: "renderer@example.com", role: .consumer))
        let report = Report(
            apiVersion: type.apiVersion, kind: type.kind, metadata: ObjectMeta(name: "weekly"),
            spec: ReportSpec(query: "select 1", format: "pdf"))
        try await producer.apply(report)
        let clock = TestClock()
        let controller = Controller(
            store: consumer, reconciler: ReportReconciler(),
            options: ControllerOptions(statusWriteWindow: .seconds(3600)), clock: clock)
        let group = ServiceGroup(services: [controller], logger: Logger(label: "documentation-tests"))
        let finished = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await group.run()
                return true
            }
            tasks.addTask {
                // The poll and the write window wait on the clock: the status is reconciled, not written.
                try await clock.waitForSleepers(2)
                await group.triggerGracefulShutdown()
                try await Task.sleep(for: .seconds(60))  // the deadline
                return false
            }
            defer { tasks.cancelAll() }
            return try await tasks.next() ?? false
        }
        #expect(finished, "the service group did not stop within 60 seconds")
        #expect(try await producer.get(report.key)?.resource.status?.isTrue("Ready") == true)
    }

    @Test func theReadmeHostAppCountsWords() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("giter-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let remote = scratch.appendingPathComponent("exchange.git").path
        // An empty bare repository, as `giter init` or `git init --bare` makes.
        try FileManager.default.createDirectory(atPath: remote + "/objects", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: remote + "/refs/heads", withIntermediateDirectories: true)
        try "ref: refs/heads/main\n".write(toFile: remote + "/HEAD", atomically: true, encoding: .utf8)
        try "[core]\n\trepositoryformatversion = 0\n\tbare = true\n".write(toFile: remote + "/config", atomically: true, encoding: .utf8)
        #expect(try await countWords(remote: remote, scratch: scratch.path) == 3)
    }

    @Test func theSubclassDelegates() async throws {
        let reconciler = AuditedReportReconciler(renderer: ReportReconciler())
        let report = Report(
            apiVersion: "reports.example.com/v1", kind: "Report", metadata: ObjectMeta(name: "x", generation: 1, uid: "u"),
            spec: ReportSpec(query: "q", format: "xls"))
        let context = ReconcileContext(
            key: report.key, generation: 1, idempotencyKey: "u/1", attempt: 1, logger: .init(label: "test"))
        await #expect(throws: TerminalError.self) { try await reconciler.reconcile(report, context: context) }
    }
}
