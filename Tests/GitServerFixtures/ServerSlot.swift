internal import Synchronization

/// The running process and port of one server, shared by its methods.
final class ServerSlot: Sendable {
    private let running = Mutex<(process: ServerProcess, port: Int)?>(nil)

    /// The port, or `nil` when nothing runs.
    var port: Int? {
        running.withLock { $0?.port }
    }

    /// The server's log so far, empty when nothing runs.
    var log: String {
        running.withLock { $0?.process.log } ?? ""
    }

    /// Records a started process, or stops it when a concurrent start won.
    func adopt(_ started: (process: ServerProcess, port: Int)) async {
        let adopted = running.withLock { state in
            guard state == nil else { return false }
            state = started
            return true
        }
        if !adopted {
            await started.process.stop()
        }
    }

    /// Stops and forgets the running process, if any, and waits (bounded)
    /// until its port refuses connections.
    ///
    /// The wait matters because a per-connection child of the server (for
    /// example a `git daemon --serve` started by the readiness probe) may
    /// still hold the listening socket for a moment after the server itself
    /// exited; it is being killed with the rest of the server's process group.
    func stop() async {
        let stopped = running.withLock { state in
            defer { state = nil }
            return state
        }
        guard let stopped else { return }
        await stopped.process.stop()
        var attempts = 0
        while attempts < 200 && LoopbackPort.isAccepting(stopped.port) && !Task.isCancelled {
            attempts += 1
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
