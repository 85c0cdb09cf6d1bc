import Synchronization

/// Hints that a remote's branch may have moved, shared by every part of a
/// host app that waits on the exchange.
///
/// An event source — a webhook receiver, a watcher of a repository on the
/// same machine — calls ``notify()``; every waiter reads ``subscribe()``
/// and, on each element, checks the remote (a cheap "has it moved?",
/// then a fetch and a diff; a server: a fetch at once). A hint carries nothing: what changed is
/// always read from the repository, never from the hint, so a forged or
/// duplicated hint costs one check and nothing else.
///
/// ```swift
/// let changes = ChangeNotifier()
/// controller.addEventSource(changes.subscribe())
/// let answer = try await producer.wait(for: key, timeout: .seconds(30), events: changes)
/// ```
///
/// Hints merge: a subscriber that has not taken the last one yet gets one
/// element for many ``notify()`` calls, never a backlog. A subscription
/// ends when its stream is dropped or cancelled, or at ``finish()``.
public final class ChangeNotifier: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<Void>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every subscriber.
    public func notify() {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            subscriber.yield()
        }
    }

    /// A new stream of hints; each element means "check the remote now".
    /// Hints given before the call are not replayed.
    public func subscribe() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// The number of live subscriptions.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Ends every subscription; later subscriptions end at once.
    public func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }
}
