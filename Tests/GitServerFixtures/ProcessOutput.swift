/// The outcome of a finished command: its exit status and everything it wrote.
public struct ProcessOutput: Sendable, CustomStringConvertible {
    /// The exit status, or `128 + signal` when the process was killed by a signal.
    public var status: Int32
    /// Standard output, decoded as UTF-8 (invalid bytes replaced).
    public var stdout: String
    /// Standard error, decoded as UTF-8 (invalid bytes replaced).
    public var stderr: String

    /// Creates an output value.
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Whether the command exited with status 0.
    public var succeeded: Bool {
        status == 0
    }

    /// Standard output without the trailing newline(s).
    public var trimmedStdout: String {
        var text = Substring(stdout)
        while text.last == "\n" || text.last == "\r" {
            text.removeLast()
        }
        return String(text)
    }

    public var description: String {
        "exit status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)"
    }
}
