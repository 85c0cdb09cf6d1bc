import Giter
import GiterLocalGit
import Subprocess

/// One long-lived `git cat-file --batch` process that reads objects from the
/// mirror, so reading many blobs costs one process, not one per blob.
///
/// With `looseObjects`, an object named by its id is first looked for as a
/// loose object file there and, when found, read and checked in process
/// (``LocalRepository/readLooseObject(_:maximumSize:)``): what a fetch of a
/// few objects and a small commit leave in the mirror costs no round trip
/// to the process. Packed objects, other names, and anything the loose
/// read cannot use go to the process.
///
/// Requests go through an `AsyncStream` to a task that owns the process and
/// answers them in order; the actor serializes starting and restarting it.
/// The process starts on the first read, is started again when it dies, and
/// ends (its standard input closed) when the actor is released.
actor CatFileBatch {
    /// An object read from the mirror.
    struct Object: Sendable {
        var id: ObjectID
        var type: String
        var contents: [UInt8]
    }

    private struct Request: Sendable {
        /// One or more names, answered in one round trip.
        var names: [String]
        var reply: CheckedContinuation<[Object?], any Error>
    }

    /// The process ended (or had already ended) before answering.
    private struct ProcessEnded: Error {
        var reason: String
    }

    private final class Session: Sendable {
        let requests: AsyncStream<Request>.Continuation
        /// Serves the requests; ends once the process has ended.
        let serving: Task<Void, Never>
        init(requests: AsyncStream<Request>.Continuation, serving: Task<Void, Never>) {
            self.requests = requests
            self.serving = serving
        }
    }

    private let runner: GitRunner
    private let looseObjects: LocalRepository?
    private var session: Session?
    /// How many names were sent to the process (for tests and diagnostics).
    nonisolated let namesSentToProcess = LaunchCounter()

    /// The largest loose object read in process; a larger one is the process's to read.
    static let largestLooseObject = 1 << 20

    /// Reads through `runner`'s repository; `looseObjects` (the same
    /// repository's folder, when its objects are all written there) is
    /// looked at first.
    init(runner: GitRunner, looseObjects: LocalRepository? = nil) {
        self.runner = runner
        self.looseObjects = looseObjects
    }

    deinit {
        session?.requests.finish()
    }

    /// The object `name` names (an id or `<rev>^{commit}`-style expression
    /// without whitespace), or `nil` when the mirror has no such object.
    func read(_ name: String) async throws(TransportError) -> Object? {
        try await read([name]).first ?? nil
    }

    /// The objects `names` name, in order (nil for a missing one), asked
    /// for together: one round trip to the process, however many names.
    /// At most 64 names.
    func read(_ names: [String]) async throws(TransportError) -> [Object?] {
        guard names.count <= 64 else { throw TransportError(.invalidArgument, "at most 64 names per read") }
        for name in names where name.isEmpty || name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw TransportError(.invalidArgument, "'\(name)' is not an object name")
        }
        if names.isEmpty { return [] }
        guard let looseObjects else { return try await readThroughProcess(names) }
        var found: [Object?] = []
        found.reserveCapacity(names.count)
        var elsewhere: [Int] = []
        for (index, name) in names.enumerated() {
            if let id = ObjectID(hex: name), id.hex == name,
                let object = looseObjects.readLooseObject(id, maximumSize: Self.largestLooseObject)
            {
                found.append(Object(id: id, type: object.type, contents: object.contents))
            } else {
                found.append(nil)
                elsewhere.append(index)
            }
        }
        if elsewhere.isEmpty { return found }
        let answered = try await readThroughProcess(elsewhere.map { names[$0] })
        for (index, object) in zip(elsewhere, answered) { found[index] = object }
        return found
    }

    /// ``read(_:)-([String])`` through the process alone.
    private func readThroughProcess(_ names: [String]) async throws(TransportError) -> [Object?] {
        namesSentToProcess.add(names.count)
        var lastProblem = ""
        for _ in 0..<2 {
            let current = activeSession()
            do {
                return try await withCheckedThrowingContinuation { continuation in
                    if case .terminated = current.requests.yield(Request(names: names, reply: continuation)) {
                        continuation.resume(throwing: ProcessEnded(reason: "it was not running"))
                    }
                }
            } catch let ended as ProcessEnded {
                lastProblem = ended.reason
                if session === current { session = nil }
            } catch let error as TransportError {
                throw error
            } catch {
                throw TransportError(.backend, "git cat-file --batch failed: \(error)", underlying: error)
            }
        }
        throw TransportError(.backend, "git cat-file --batch ended unexpectedly: \(lastProblem)")
    }

    /// Ends the process once it has answered the reads already sent (its
    /// standard input closed) and returns when it has ended, having given
    /// back what it held: the mapped pack files and git's cache of delta
    /// bases. The next read starts another.
    func end() async {
        guard let current = session else { return }
        session = nil
        current.requests.finish()
        await current.serving.value
    }

    private func activeSession() -> Session {
        if let session { return session }
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self)
        let runner = self.runner
        let serving = Task.detached {
            await Self.serve(stream, continuation: continuation, runner: runner)
        }
        let created = Session(requests: continuation, serving: serving)
        session = created
        return created
    }

    /// Runs the process and answers requests until the stream ends or the process dies.
    private static func serve(
        _ requests: AsyncStream<Request>,
        continuation: AsyncStream<Request>.Continuation,
        runner: GitRunner
    ) async {
        var pending = requests.makeAsyncIterator()
        var current: Request?
        var reason = "git cat-file --batch exited"
        runner.launches.increment()
        do {
            let result = try await Subprocess.run(
                Configuration(
                    executable: runner.executable,
                    arguments: Arguments(GitRunner.globalOptions + ["cat-file", "--batch"]),
                    environment: runner.environment(adding: [:])
                ),
                input: .inputWriter,
                output: .sequence,
                error: .discarded
            ) { execution in
                let writer = execution.standardInputWriter
                var reader = ReplyReader(execution.standardOutput.makeAsyncIterator())
                while let request = await pending.next(isolation: #isolation) {
                    current = request
                    _ = try await writer.write(Array(request.names.map { $0 + "\n" }.joined().utf8))
                    var objects: [Object?] = []
                    for _ in request.names { objects.append(try await reader.readObject()) }
                    current = nil
                    request.reply.resume(returning: objects)
                }
                try await writer.finish()
                try await reader.drain()
            }
            reason = "git cat-file --batch exited (\(result.terminationStatus))"
        } catch {
            reason = "git cat-file --batch failed: \(error)"
        }
        continuation.finish()
        current?.reply.resume(throwing: ProcessEnded(reason: reason))
        while let request = await pending.next() {
            request.reply.resume(throwing: ProcessEnded(reason: reason))
        }
    }
}

/// Reads `cat-file --batch` replies from the process's standard output.
private struct ReplyReader {
    private var output: SubprocessOutputSequence.Iterator
    private var buffer: [UInt8] = []
    private var start = 0

    init(_ output: SubprocessOutputSequence.Iterator) {
        self.output = output
    }

    /// Reads the output to its end, so that its pipe is closed once the
    /// process exits (an output left unread keeps its descriptor open).
    mutating func drain() async throws {
        while try await output.next() != nil {}
    }

    /// Reads one reply: `<id> <type> <size>\n<contents>\n`, or `<name> missing\n`.
    mutating func readObject() async throws -> CatFileBatch.Object? {
        let header = try await readLine()
        let fields = header.split(separator: " ")
        if fields.count == 2, fields[1] == "missing" || fields[1] == "ambiguous" {
            return nil
        }
        guard fields.count == 3, let id = ObjectID(hex: String(fields[0])), let size = Int(fields[2]), size >= 0
        else {
            throw TransportError(.backend, "git cat-file --batch printed an unexpected header: '\(header)'")
        }
        try await fill(size + 1)
        let contents = Array(buffer[start..<start + size])
        guard buffer[start + size] == 0x0A else {
            throw TransportError(.backend, "git cat-file --batch: object \(id) is not followed by a newline")
        }
        consume(size + 1)
        return CatFileBatch.Object(id: id, type: String(fields[1]), contents: contents)
    }

    private mutating func readLine() async throws -> String {
        var scanned = 0
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                consume(newline + 1 - start)
                return line
            }
            scanned = buffer.count - start
            try await readMore()
        }
    }

    private mutating func fill(_ count: Int) async throws {
        while buffer.count - start < count { try await readMore() }
    }

    private mutating func readMore() async throws {
        if start > 0, start == buffer.count || start > 1 << 16 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        guard let chunk = try await output.next() else {
            throw TransportError(.backend, "git cat-file --batch closed its output")
        }
        chunk.withUnsafeBytes { buffer.append(contentsOf: $0) }
    }

    private mutating func consume(_ count: Int) {
        start += count
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
    }
}

extension CatFileBatch {
    /// The objects `names` names, 64 to a round trip; stops at the first one missing.
    func readAll(_ names: [String]) async throws(TransportError) -> [Object] {
        var objects: [Object] = []
        objects.reserveCapacity(names.count)
        for start in stride(from: 0, to: names.count, by: 64) {
            for object in try await read(Array(names[start..<min(names.count, start + 64)])) {
                guard let object else { return objects }
                objects.append(object)
            }
        }
        return objects
    }
}
