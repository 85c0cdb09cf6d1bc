#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import BenchmarkTransport
import Giter
import Synchronization

/// Nanoseconds on the monotonic clock.
func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// A Transport that forwards to another and notes when each fetch ended
/// and which tip it brought: the point a dispatch is measured from.
struct WatchedTransport: ForwardingTransport {
    struct Fetch: Sendable {
        var tip: ObjectID?
        var start: UInt64
        var end: UInt64
    }

    final class Log: Sendable {
        private let fetches = Mutex<[Fetch]>([])
        func note(_ fetch: Fetch) { fetches.withLock { $0.append(fetch) } }
        /// The first fetch that returned `tip`.
        func first(bringing tip: ObjectID) -> Fetch? { fetches.withLock { $0.first { $0.tip == tip } } }
        var all: [Fetch] { fetches.withLock { $0 } }
    }

    let inner: any Transport
    let log: Log

    func fetch() async throws -> ObjectID? {
        let start = now()
        let tip = try await inner.fetch()
        log.note(Fetch(tip: tip, start: start, end: now()))
        return tip
    }
}
