import Synchronization

/// The bearer tokens of an ``OCIRegistry`` and its copies, per scope and
/// login, and where each registry's token server is.
///
/// A token is kept until a little before it expires
/// (``RegistryToken/usableUntil``); the caller passes the time, so tests
/// can move it. The cache holds at most ``maximumTokens`` tokens.
final class TokenCache: Sendable, CustomReflectable {
    /// A registry (`scheme://host[:port]`), a scope and the login the token was fetched with.
    struct Key: Hashable, Sendable {
        var origin: String
        var scope: String
        var login: OCIRegistry.Login?
    }

    static let maximumTokens = 256

    private struct State {
        /// The token service each registry named in its last `Bearer` challenge.
        var endpoints: [String: TokenEndpoint] = [:]
        var tokens: [Key: RegistryToken] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// The token service `origin` uses, once it has sent a `Bearer` challenge.
    func endpoint(of origin: String) -> TokenEndpoint? {
        state.withLock { $0.endpoints[origin] }
    }

    func remember(_ endpoint: TokenEndpoint, of origin: String) {
        state.withLock { $0.endpoints[origin] = endpoint }
    }

    /// The token for `key` when it is still usable at `now`.
    func token(for key: Key, at now: ContinuousClock.Instant) -> RegistryToken? {
        state.withLock { state in
            guard let token = state.tokens[key] else { return nil }
            guard now < token.usableUntil else {
                state.tokens[key] = nil
                return nil
            }
            return token
        }
    }

    func store(_ token: RegistryToken, for key: Key, at now: ContinuousClock.Instant) {
        state.withLock { state in
            if state.tokens.count >= Self.maximumTokens {
                state.tokens = state.tokens.filter { now < $0.value.usableUntil }
                if state.tokens.count >= Self.maximumTokens { state.tokens.removeAll() }
            }
            state.tokens[key] = token
        }
    }

    /// Drops the token for `key` (the registry refused it).
    func forget(_ key: Key) {
        _ = state.withLock { $0.tokens.removeValue(forKey: key) }
    }

    /// Nothing of the cache shows in `dump`: it holds tokens.
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
