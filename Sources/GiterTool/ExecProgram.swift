import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How `giter reconcile --exec` runs its program: `sh -c COMMAND` in the
/// tool's working directory, in a process group of its own, with its input
/// from a file (never a pipe, so a program that stops early cannot raise
/// `SIGPIPE` in the tool), its standard output bounded, the tail of its
/// standard error kept, and a time limit after which the whole group is killed.
struct ExecProgram: Sendable {
    /// The shell command.
    var command: String
    /// The whole environment of the program.
    var environment: [String: String]
    /// How long one run may take before its process group is killed.
    var timeLimit: Duration
    /// The most bytes of standard output read; more is a failure.
    var outputLimit = 1 << 20
    /// How many of the last bytes of standard error are kept.
    var errorTailLimit = 2048

    /// How one run ended.
    struct Outcome: Sendable {
        enum Ending: Sendable, Equatable {
            case exited(Int32)
            /// Ended by a signal.
            case signaled(Int32)
            /// Killed after ``ExecProgram/timeLimit``.
            case timedOut
            /// Killed for printing more than ``ExecProgram/outputLimit`` bytes.
            case outputTooLarge
        }

        var ending: Ending
        /// Standard output, at most ``ExecProgram/outputLimit`` bytes.
        var output: [UInt8]
        /// The last bytes of standard error, as text.
        var errorTail: String
    }

    /// Runs the program with `input` on its standard input.
    ///
    /// - Throws: when the input file cannot be made or `sh` cannot start.
    func run(input: [UInt8]) async throws -> Outcome {
        let inputFile = try Self.unlinkedFile(holding: input)
        var platform = PlatformOptions()
        platform.processGroupID = 0
        platform.teardownSequence = [
            .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500))
        ]
        let configuration = Configuration(
            executable: .path(FilePath("/bin/sh")),
            arguments: ["-c", command],
            environment: .custom(
                Dictionary(uniqueKeysWithValues: environment.map { (Subprocess.Environment.Key(stringLiteral: $0.key), $0.value) })),
            platformOptions: platform
        )
        let outputLimit = self.outputLimit
        let errorTailLimit = self.errorTailLimit
        let limit = timeLimit
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                try await Self.launch(
                    configuration, input: inputFile, outputLimit: outputLimit, errorTailLimit: errorTailLimit)
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            // Cancelled at the time limit, the run's teardown kills the program's whole process group.
            guard let first = try await group.next(), let outcome = first else {
                return Outcome(ending: .timedOut, output: [], errorTail: "")
            }
            return outcome
        }
    }

    private static func launch(
        _ configuration: Configuration, input: FileDescriptor, outputLimit: Int, errorTailLimit: Int
    ) async throws -> Outcome {
        let result = try await Subprocess.run(
            configuration,
            input: .fileDescriptor(input, closeAfterSpawningProcess: true),
            output: .sequence,
            error: .sequence
        ) { execution in
            async let errorTail = tail(of: execution.standardError, keeping: errorTailLimit)
            var output: [UInt8] = []
            var tooLarge = false
            for try await buffer in execution.standardOutput {
                buffer.withUnsafeBytes { output.append(contentsOf: $0) }
                if output.count > outputLimit {
                    tooLarge = true
                    try? execution.send(signal: .kill, toProcessGroup: true)
                    break
                }
            }
            return (output, tooLarge, try await errorTail)
        }
        let (output, tooLarge, errorTail) = result.closureResult
        if tooLarge { return Outcome(ending: .outputTooLarge, output: [], errorTail: errorTail) }
        let ending: Outcome.Ending =
            switch result.terminationStatus {
            case .exited(let code): .exited(code)
            case .signaled(let signal): .signaled(signal)
            }
        return Outcome(ending: ending, output: output, errorTail: errorTail)
    }

    /// The last `limit` bytes `stream` gives, as text (cut at a line start when one is near).
    private static func tail(of stream: SubprocessOutputSequence, keeping limit: Int) async throws -> String {
        var kept: [UInt8] = []
        for try await buffer in stream {
            buffer.withUnsafeBytes { kept.append(contentsOf: $0) }
            if kept.count > 2 * limit { kept.removeFirst(kept.count - limit) }
        }
        if kept.count > limit { kept.removeFirst(kept.count - limit) }
        var text = String(decoding: kept, as: UTF8.self)
        if kept.count == limit, let newline = text.firstIndex(of: "\n") { text = String(text[text.index(after: newline)...]) }
        return text
    }

    /// A file that holds `bytes`, opened for reading and already removed.
    private static func unlinkedFile(holding bytes: [UInt8]) throws -> FileDescriptor {
        let path = NSTemporaryDirectory() + "giter-exec-\(UUID().uuidString).json"
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try FileDescriptor.open(FilePath(path), .readOnly)
    }
}
