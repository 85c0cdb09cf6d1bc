import ArgumentParser
import Giter

/// A failure of a `giter` command, reported as one line on standard error:
/// what failed, and what to do about it.
///
/// Exit statuses (see `Documentation/CLI.md`): 0 success, 1 a failure
/// (an unreadable input, a missing resource or kind, a refused write, an
/// unreachable remote, a wait that timed out), 64 a usage error.
struct ToolError: Error, CustomStringConvertible {
    /// The exit status of a usage error, as ArgumentParser uses for its own.
    static let usageStatus: Int32 = 64

    /// The line printed after `error: `.
    var message: String
    /// The exit status.
    var status: Int32

    /// A failure (exit status 1).
    init(_ message: String) {
        self.message = message
        self.status = 1
    }

    /// A failure with the given exit status.
    init(_ message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    /// A usage error (exit status 64): an option or argument is missing or wrong.
    static func usage(_ message: String) -> ToolError {
        ToolError(message, status: usageStatus)
    }

    var description: String { message }
}

/// Runs a command's work, turning every error into one line on standard
/// error and an exit status.
enum ErrorReporting {
    /// Runs `body`; on an error prints `error: …` and exits with its status.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch {
            let (message, status) = describe(error)
            StandardError.write("error: \(oneLine(message))\n")
            throw ExitCode(status)
        }
    }

    /// The message and exit status of an error, with advice where Giter has some.
    static func describe(_ error: any Error) -> (String, Int32) {
        switch error {
        case let error as ToolError:
            return (error.message, error.status)
        case let error as TransportError:
            return (describe(error), 1)
        case let error as StoreError:
            return ("cannot read the exchange: \(error)", 1)
        case let error as ProducerError:
            return ("\(error.message)", 1)
        case let error as ValidationErrors:
            return ("\(error)", 1)
        case let error as BundleError:
            return (error.message, 1)
        default:
            return ("\(error)", 1)
        }
    }

    /// A transport failure, with what to check.
    static func describe(_ error: TransportError) -> String {
        let advice: String
        switch error.code {
        case .repositoryNotFound:
            advice = "check --remote (or GITER_REMOTE), or create the repository with 'giter init'"
        case .unreachable:
            advice = "check the URL and that the server is reachable"
        case .timedOut:
            advice = "check that the server is up, or give it longer with --network-timeout"
        case .authenticationFailed:
            advice = "check --ssh-key or ssh-agent for SSH, or GITER_TOKEN (with GITER_USERNAME, or alone) or GITER_PASSWORD for HTTPS"
        case .unknownHostKey, .changedHostKey:
            advice = "check the server's host key in --known-hosts (default ~/.ssh/known_hosts)"
        case .branchNotFound:
            advice = "check --branch, or create the exchange with 'giter init'"
        case .unsafePath:
            advice = "the repository holds a file Giter refuses to read; remove it with git"
        default:
            advice = "run again with --verbose for details"
        }
        return "\(error); \(advice)"
    }

    /// `text` on one line: line breaks become `; `.
    static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        return lines.joined(separator: "; ")
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingCharacters() -> String {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
