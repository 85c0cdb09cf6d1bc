public import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs short-lived commands without blocking the cooperative thread pool.
///
/// Commands are spawned with swift-subprocess, not Foundation's `Process`:
/// on Linux `Process.run()` walks every open descriptor of the test process
/// while other tests open and close theirs, and crashed there under load.
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
    ///   - timeLimit: How long the command may run before it is killed and
    ///     ``FixtureError`` is thrown.
    /// - Throws: ``FixtureError`` when the program cannot be started or runs
    ///   past `timeLimit`.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String],
        input: Data? = nil,
        timeLimit: Duration = .seconds(300)
    ) async throws -> ProcessOutput {
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .custom(environment.map { Array("\($0.key)=\($0.value)".utf8) + [0] }),
            workingDirectory: directory.map { FilePath($0.path) }
        )
        let limit = 1 << 28
        let outcome: (status: TerminationStatus, stdout: [UInt8], stderr: [UInt8])
        do {
            outcome = try await withThrowingTaskGroup { group in
                group.addTask {
                    guard let input else {
                        let result = try await Subprocess.run(
                            configuration, input: .none, output: .bytes(limit: limit), error: .bytes(limit: limit))
                        return (result.terminationStatus, result.standardOutput, result.standardError)
                    }
                    // Input goes through a file, not a pipe: a child that exits before
                    // reading it then costs nothing (swift-subprocess 1.0 traps when
                    // writing to such a child fails).
                    let file = FileManager.default.temporaryDirectory
                        .appendingPathComponent("giter-input-\(UUID().uuidString)")
                    try input.write(to: file)
                    defer { try? FileManager.default.removeItem(at: file) }
                    let descriptor = try FileDescriptor.open(FilePath(file.path), .readOnly)
                    let result = try await Subprocess.run(
                        configuration, input: .fileDescriptor(descriptor, closeAfterSpawningProcess: true),
                        output: .bytes(limit: limit), error: .bytes(limit: limit))
                    return (result.terminationStatus, result.standardOutput, result.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: timeLimit)  // the deadline, not a wait for something
                    throw FixtureError("\(executable) \(arguments) ran longer than \(timeLimit)")
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as FixtureError {
            throw error
        } catch {
            throw FixtureError("cannot run \(executable): \(error)")
        }
        let status: Int32
        switch outcome.status {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return ProcessOutput(
            status: status,
            stdout: String(decoding: outcome.stdout, as: UTF8.self),
            stderr: String(decoding: outcome.stderr, as: UTF8.self)
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
