public import Foundation
internal import Synchronization

/// Runs short-lived commands without blocking the cooperative thread pool.
///
/// The process is waited for through `Process.terminationHandler` and a
/// continuation (never `waitUntilExit()`, which polls the run loop every 50 ms);
/// standard output and error are drained on background threads so a chatty
/// command cannot fill a pipe and stall.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` and returns its status and output.
    ///
    /// - Parameters:
    ///   - executable: Absolute path of the program.
    ///   - arguments: Arguments, not including the program name.
    ///   - directory: Working directory, or `nil` for the current one.
    ///   - environment: The complete environment of the child.
    ///   - input: Bytes written to standard input, which is then closed. With
    ///     `nil`, standard input is `/dev/null`.
    /// - Throws: ``FixtureError`` when the program cannot be started.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String],
        input: Data? = nil
    ) async throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory {
            process.currentDirectoryURL = directory
        }
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        let inputPipe: Pipe? = input == nil ? nil : Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        if let inputPipe {
            process.standardInput = inputPipe
        } else {
            process.standardInput = FileHandle.nullDevice
        }

        let collected = CollectedOutput()
        let group = DispatchGroup()
        group.enter()
        process.terminationHandler = { _ in group.leave() }
        do {
            try process.run()
        } catch {
            throw FixtureError("cannot start \(executable): \(error)")
        }
        // `Process.run()` closes the parent's copies of the child's pipe ends,
        // so the readers below see end-of-file when the child exits.

        group.enter()
        DispatchQueue.global().async {
            let data = outputPipe.fileHandleForReading.readDataToEndOfFile()
            collected.store(stdout: data)
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            let data = errorPipe.fileHandleForReading.readDataToEndOfFile()
            collected.store(stderr: data)
            group.leave()
        }
        if let inputPipe, let input {
            DispatchQueue.global().async {
                let handle = inputPipe.fileHandleForWriting
                try? handle.write(contentsOf: input)
                try? handle.close()
            }
        }

        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
        let status: Int32
        switch process.terminationReason {
        case .exit:
            status = process.terminationStatus
        case .uncaughtSignal:
            status = 128 + process.terminationStatus
        @unknown default:
            status = process.terminationStatus
        }
        let (stdout, stderr) = collected.values
        return ProcessOutput(
            status: status,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }

    /// Like ``run(_:_:in:environment:input:)`` but throws ``FixtureError``
    /// (with the command's output) when the exit status is not 0.
    @discardableResult
    public static func runChecked(
        _ executable: String,
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String],
        input: Data? = nil
    ) async throws -> ProcessOutput {
        let output = try await run(executable, arguments, in: directory, environment: environment, input: input)
        guard output.succeeded else {
            let command = ([executable] + arguments).joined(separator: " ")
            throw FixtureError("command failed: \(command)\n\(output)")
        }
        return output
    }
}

/// Output gathered by the reader threads of one command.
private final class CollectedOutput: Sendable {
    private let storage = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))

    func store(stdout data: Data) {
        storage.withLock { $0.stdout = data }
    }

    func store(stderr data: Data) {
        storage.withLock { $0.stderr = data }
    }

    var values: (stdout: Data, stderr: Data) {
        storage.withLock { $0 }
    }
}
