import ExperimentKit
import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The `experiment-consumer` executable, started as a child process for the
/// length of the demo, its output going to a log file.
struct ConsumerProcess {
    /// The executable.
    let executable: String
    /// Its arguments.
    let arguments: [String]
    /// Where its standard output and error go.
    let logPath: String

    /// How the child ended.
    struct Ending: Sendable {
        var pid: Int32
        var status: String
        var graceful: Bool
    }

    /// `experiment-consumer` next to this process's executable, if it was built.
    static func locate() -> String? { sibling("experiment-consumer") }

    /// The executable `name` next to this process's executable, if it was built.
    static func sibling(_ name: String) -> String? {
        let own =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        let folder = (own as NSString).deletingLastPathComponent
        let candidate = (folder as NSString).appendingPathComponent(name)
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// Starts the consumer, runs `body` with its process id, then sends it
    /// SIGTERM and waits for it to finish its work and exit.
    func run<T: Sendable>(_ body: (Int32) async throws -> T) async throws -> (T, Ending) {
        let log = try FileDescriptor.open(
            FilePath(logPath),
            .writeOnly,
            options: [.create, .truncate],
            permissions: [.ownerReadWrite, .groupRead]
        )
        defer { try? log.close() }
        let result = try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"]),
            input: .none,
            output: .fileDescriptor(log, closeAfterSpawningProcess: false),
            error: .fileDescriptor(log, closeAfterSpawningProcess: false)
        ) { execution -> (T, Int32) in
            let pid = execution.processIdentifier.value
            do {
                let value = try await body(pid)
                try? execution.send(signal: .terminate)
                return (value, pid)
            } catch {
                try? execution.send(signal: .terminate)
                throw error
            }
        }
        let status: String
        let graceful: Bool
        switch result.terminationStatus {
        case .exited(let code):
            status = "exited with status \(code)"
            graceful = code == 0
        case .signaled(let signal):
            status = "killed by signal \(signal)"
            graceful = false
        }
        return (result.closureResult.0, Ending(pid: result.closureResult.1, status: status, graceful: graceful))
    }

    /// The last `count` lines of the log, for when something went wrong.
    func logTail(_ count: Int) -> [String] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return Array(text.split(separator: "\n").suffix(count).map(String.init))
    }
}
