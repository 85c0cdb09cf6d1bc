import Giter
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

extension Board {
    /// What an `/events` stream writes next.
    private enum Tick: Sendable {
        case change
        case heartbeat
    }

    /// `/events`: a slot, or 503 when every slot is taken.
    func eventsResponse() -> Response {
        guard let slot = streams.take() else {
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            headers[.retryAfter] = "30"
            return Response(
                status: .serviceUnavailable,
                headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: "too many live pages open; reload later\n"))
            )
        }
        // Subscribed before the first byte is written: a client that has
        // read the preamble misses no change after it.
        let changes = updates.subscribe()
        let configuration = configuration
        let clock = clock
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                // The slot is freed when this body ends, or (through its
                // deinit) when the body is dropped without running.
                defer { slot.release() }
                let retry = configuration.reconnectDelay.components
                let milliseconds = retry.seconds * 1_000 + retry.attoseconds / 1_000_000_000_000_000
                try await writer.write(ByteBuffer(string: "retry: \(milliseconds)\n: giter board\n\n"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let (ticks, input) = AsyncStream.makeStream(of: Tick.self, bufferingPolicy: .bufferingNewest(8))
                    group.addTask {
                        for await _ in changes { input.yield(.change) }
                        input.finish()
                    }
                    group.addTask {
                        while true {
                            try await clock.sleep(for: configuration.heartbeatInterval)
                            input.yield(.heartbeat)
                        }
                    }
                    group.addTask {
                        try await clock.sleep(for: configuration.eventStreamLifetime)
                        input.finish()
                    }
                    defer { group.cancelAll() }
                    // A graceful shutdown of the server ends the stream, not waiting for its lifetime.
                    try await withGracefulShutdownHandler {
                        for await tick in ticks {
                            switch tick {
                            case .change: try await writer.write(ByteBuffer(string: "event: change\ndata: moved\n\n"))
                            case .heartbeat: try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                            }
                        }
                    } onGracefulShutdown: {
                        input.finish()
                    }
                }
                try await writer.finish(nil)
            }
        )
    }
}

/// The open `/events` streams, bounded.
final class EventStreamSlots: Sendable {
    /// One open stream; its slot is given back when it is released.
    final class Slot: Sendable {
        private let owner: EventStreamSlots
        private let held = Mutex(true)
        init(owner: EventStreamSlots) { self.owner = owner }
        deinit { release() }

        /// Gives the slot back; once only.
        func release() {
            guard
                held.withLock({ held in
                    defer { held = false }; return held
                })
            else { return }
            owner.count.withLock { $0 -= 1 }
        }
    }

    let limit: Int
    fileprivate let count = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// How many streams are open.
    var open: Int { count.withLock { $0 } }

    /// A slot, or nil when `limit` are taken.
    func take() -> Slot? {
        let taken = count.withLock { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        return taken ? Slot(owner: self) : nil
    }
}
