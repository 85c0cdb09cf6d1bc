import Giter
import Subprocess

/// One long-lived git process that answers every request — bytes written to
/// its standard input — with a known number of lines on its standard
/// output: `git hash-object -w --stdin-paths` (one id per path) or
/// `git mktree -z --batch` (one id per tree). Writing objects this way costs
/// no process per commit.
///
/// Built like ``CatFileBatch``: requests go through an `AsyncStream` to a
/// task that owns the process and answers them in order. The process starts
/// on the first request and again after it died; a request it died on fails
/// with what it printed on standard error (the commands used are
/// idempotent, so nothing is retried after a failure the request caused).
/// Its standard input is closed when the actor is released.
actor GitCoprocess {
    private struct Request: Sendable {
        var input: [UInt8]
        var lines: Int
        var reply: CheckedContinuation<[String], any Error>
    }

    private final class Session: Sendable {
        let requests: AsyncStream<Request>.Continuation
        init(requests: AsyncStream<Request>.Continuation) { self.requests = requests }
    }

    private let runner: GitRunner
    private let arguments: [String]
    private let environment: [String: String]
    private var session: Session?

    init(runner: GitRunner, arguments: [String], environment: [String: String] = [:]) {
        self.runner = runner
        self.arguments = arguments
        self.environment = environment
    }

    deinit {
        session?.requests.finish()
    }

    /// Writes `input` and returns the next `lines` lines of output, without their newlines.
    func request(_ input: [UInt8], lines: Int) async throws(TransportError) -> [String] {
        let current = activeSession()
        do {
            return try await withCheckedThrowingContinuation { continuation in
                if case .terminated = current.requests.yield(Request(input: input, lines: lines, reply: continuation)) {
                    continuation.resume(throwing: TransportError(.backend, "git \(arguments.first ?? "") is not running"))
                }
            }
        } catch let error as TransportError {
            if session === current { session = nil }
            throw error
        } catch {
            if session === current { session = nil }
            throw TransportError(.backend, "git \(arguments.first ?? "") failed: \(error)", underlying: error)
        }
    }

    private func activeSession() -> Session {
        if let session { return session }
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self)
        let created = Session(requests: continuation)
        session = created
        let runner = self.runner
        let arguments = self.arguments
        let environment = self.environment
        Task.detached {
            await Self.serve(
                stream, continuation: continuation, runner: runner, arguments: arguments, environment: environment)
        }
        return created
    }

    /// Runs the process and answers requests until the stream ends or the process dies.
    private static func serve(
        _ requests: AsyncStream<Request>,
        continuation: AsyncStream<Request>.Continuation,
        runner: GitRunner,
        arguments: [String],
        environment: [String: String]
    ) async {
        var pending = requests.makeAsyncIterator()
        var current: Request?
        let command = "git " + arguments.prefix(while: { !$0.hasPrefix("-") }).joined(separator: " ")
        var reason = "\(command) exited"
        runner.launches.increment()
        do {
            let result = try await Subprocess.run(
                Configuration(
                    executable: runner.executable,
                    arguments: Arguments(GitRunner.globalOptions + arguments),
                    environment: runner.environment(adding: environment)
                ),
                input: .inputWriter,
                output: .sequence,
                error: .string(limit: 1 << 16)
            ) { execution -> String? in
                let writer = execution.standardInputWriter
                var reader = LineReader(execution.standardOutput.makeAsyncIterator())
                do {
                    while let request = await pending.next(isolation: #isolation) {
                        current = request
                        _ = try await writer.write(request.input)
                        var lines: [String] = []
                        lines.reserveCapacity(request.lines)
                        for _ in 0..<request.lines { lines.append(try await reader.readLine()) }
                        current = nil
                        request.reply.resume(returning: lines)
                    }
                    try await writer.finish()
                    try await reader.drain()
                    return nil
                } catch {
                    // Let the process end, so its standard error can be read.
                    try? await writer.finish()
                    try? await reader.drain()
                    return "\(error)"
                }
            }
            let said = result.standardError.split(whereSeparator: \.isNewline).joined(separator: "; ")
            if !said.isEmpty {
                reason = "\(command) failed: \(said)"
            } else if let problem = result.closureResult {
                reason = "\(command) failed (\(result.terminationStatus)): \(problem)"
            } else {
                reason = "\(command) exited (\(result.terminationStatus))"
            }
        } catch {
            reason = "\(command) failed: \(error)"
        }
        continuation.finish()
        current?.reply.resume(throwing: TransportError(.backend, reason))
        while let request = await pending.next() {
            request.reply.resume(throwing: TransportError(.backend, reason))
        }
    }
}

/// Reads newline-terminated lines from a process's standard output.
private struct LineReader {
    private var output: SubprocessOutputSequence.Iterator
    private var buffer: [UInt8] = []

    init(_ output: SubprocessOutputSequence.Iterator) {
        self.output = output
    }

    /// Reads the output to its end, so that its pipe is closed once the
    /// process exits (an output left unread keeps its descriptor open).
    mutating func drain() async throws {
        while try await output.next() != nil {}
    }

    mutating func readLine() async throws -> String {
        var scanned = 0
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            scanned = buffer.count
            guard let chunk = try await output.next() else {
                throw TransportError(.backend, "the process closed its output")
            }
            chunk.withUnsafeBytes { buffer.append(contentsOf: $0) }
        }
    }
}
