import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How Giter runs the `gpg` executable: a time limit on every run, bounded
/// output, and what gpg said on standard error kept for messages.
///
/// Input goes through files, never standard input: a gpg that stops early
/// (an unknown key, garbage) must not leave a writer to a closed pipe, which
/// would raise `SIGPIPE` in the host process.
struct GPGProgram: Sendable {
    /// The executable: a name looked up in `PATH`, or a path.
    var program: String
    /// How long one run may take before it is killed.
    var timeLimit: Duration = .seconds(30)
    /// The most bytes read from each of standard output and standard error.
    var outputLimit = 4 << 20

    /// What one finished run left behind.
    struct Outcome: Sendable {
        enum Status: Sendable, Equatable {
            case exited(Int32)
            /// Killed by a signal.
            case killed
            /// It printed more than ``GPGProgram/outputLimit`` and was stopped.
            case outputLimitExceeded
        }

        var status: Status
        var output: String
        var errorOutput: String

        var succeeded: Bool { status == .exited(0) }

        /// The status lines (`[GNUPG:] …`) from either stream.
        var statusLines: [Substring] {
            (output + "\n" + errorOutput).split(separator: "\n").filter { $0.hasPrefix("[GNUPG:] ") }
        }

        /// Whether a status line starts with `[GNUPG:] keyword`.
        func reported(_ keyword: String) -> Bool {
            statusLines.contains { $0.dropFirst(9).split(separator: " ").first == Substring(keyword) }
        }

        /// gpg's own messages on standard error (status lines left out), on one line.
        var diagnostic: String {
            let lines = errorOutput.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("[GNUPG:] ") }
            let text = lines.map { $0.trimmingPrefix("gpg: ") }.joined(separator: "; ")
            return text.isEmpty ? "no message" : String(text.prefix(2_000))
        }

        /// How the run ended, for messages.
        var ending: String {
            switch status {
            case .exited(let code): "exit \(code)"
            case .killed: "killed by a signal"
            case .outputLimitExceeded: "stopped: too much output"
            }
        }
    }

    init(program: String) {
        self.program = program
    }

    /// Runs `gpg arguments` with no standard input. A non-zero exit is an
    /// outcome; not starting, and not finishing within ``timeLimit``, throw `.gpg`.
    func run(_ arguments: [String], environment: Environment) async throws(SigningError) -> Outcome {
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        let configuration = Configuration(
            executable: executable,
            arguments: Arguments(arguments),
            environment: environment
        )
        let limit = timeLimit
        let outputLimit = self.outputLimit
        do {
            return try await withThrowingTaskGroup(of: Outcome?.self) { group in
                group.addTask { try await Self.launch(configuration, outputLimit: outputLimit) }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let outcome = first else {
                    throw SigningError(
                        .gpg,
                        "\(program) did not finish within \(limit) and was stopped: check that gpg works "
                            + "(a pinentry waiting for a passphrase, a stuck gpg-agent: gpgconf --kill all)"
                    )
                }
                return outcome
            }
        } catch let error as SigningError {
            throw error
        } catch let error as SubprocessError where error.code == .executableNotFound {
            throw SigningError(
                .gpg,
                "the gpg executable '\(program)' was not found: install GnuPG, or give its path",
                underlying: error
            )
        } catch {
            throw SigningError(.gpg, "could not run \(program): \(error)", underlying: error)
        }
    }

    private static func launch(_ configuration: Configuration, outputLimit: Int) async throws -> Outcome {
        do {
            let result = try await Subprocess.run(
                configuration,
                input: .none,
                output: .string(limit: outputLimit),
                error: .string(limit: outputLimit)
            )
            let status: Outcome.Status =
                switch result.terminationStatus {
                case .exited(let code): .exited(code)
                default: .killed
                }
            return Outcome(
                status: status,
                output: result.standardOutput,
                errorOutput: result.standardError
            )
        } catch let error as SubprocessError where error.code == .outputLimitExceeded {
            return Outcome(status: .outputLimitExceeded, output: "", errorOutput: "")
        }
    }
}
