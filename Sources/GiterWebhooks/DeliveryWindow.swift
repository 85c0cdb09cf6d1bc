import Crypto
import Synchronization

/// The delivery ids seen last, to drop a delivery that comes again (a
/// sender's retry, a replay): a fixed number of fixed-size entries, the
/// oldest forgotten first, so memory stays bounded whatever is sent.
final class DeliveryWindow: Sendable {
    private struct State {
        var order: [SHA256Digest?]
        var next = 0
        var seen: Set<SHA256Digest> = []
    }

    private let state: Mutex<State>

    init(capacity: Int) {
        state = Mutex(State(order: Array(repeating: nil, count: max(1, capacity))))
    }

    /// Records `id` of `provider`; false when it is already in the window.
    func insert(_ id: String, of provider: WebhookProvider) -> Bool {
        var hasher = SHA256()
        hasher.update(data: Array(provider.rawValue.utf8) + [0])
        hasher.update(data: Array(id.utf8))
        let digest = hasher.finalize()
        return state.withLock { state in
            guard state.seen.insert(digest).inserted else { return false }
            if let evicted = state.order[state.next] {
                state.seen.remove(evicted)
            }
            state.order[state.next] = digest
            state.next = (state.next + 1) % state.order.count
            return true
        }
    }
}
