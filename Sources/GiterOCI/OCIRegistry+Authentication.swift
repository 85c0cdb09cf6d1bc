import Foundation

/// The login and the token flow of ``OCIRegistry``: what a request carries,
/// and fetching a token from the registry's token service.
extension OCIRegistry {
    /// What a request carries in `Authorization`.
    enum Credential {
        /// The login, to a registry that has not asked for a token.
        case basic(Login)
        /// A token; `fresh` when it was fetched for this request.
        case bearer(RegistryToken, fresh: Bool)

        var authorization: String {
            switch self {
            case .basic(let login): login.authorization
            case .bearer(let token, _): token.authorization
            }
        }
    }

    func tokenKey(_ access: RepositoryAccess) -> TokenCache.Key {
        TokenCache.Key(origin: origin, scope: access.scope, login: login)
    }

    /// What a request for `access` carries before the registry answers: a
    /// kept token (its own scope's, or a `pull,push` one for a pull); a
    /// new one when the registry is known to want tokens; else the login,
    /// if any.
    func credential(for access: RepositoryAccess) async throws(OCIError) -> Credential? {
        let now = ContinuousClock.now
        for candidate in [access, access.wider].compactMap({ $0 }) {
            if let token = tokens.token(for: tokenKey(candidate), at: now) { return .bearer(token, fresh: false) }
        }
        if let endpoint = tokens.endpoint(of: origin) {
            return .bearer(try await fetchToken(from: endpoint, for: access, asked: nil), fresh: true)
        }
        guard let login else { return nil }
        guard !plainHTTP || Self.isLoopback(host) else {
            throw OCIError(
                .invalidReference,
                "refusing to send the registry password over plain HTTP to \(host): use HTTPS, or a registry on "
                    + "loopback")
        }
        return .basic(login)
    }

    /// The `Bearer` challenge of a 401 answer; `nil` when it asks for
    /// something else (basic authentication) or nothing.
    func bearerChallenge(in response: Response) throws(OCIError) -> AuthenticationChallenge? {
        guard let header = response.headers["www-authenticate"] else { return nil }
        return try AuthenticationChallenge.parse(header).first { $0.scheme == "bearer" }
    }

    /// A token for `access` from `endpoint`, asked with the login when
    /// there is one (anonymously otherwise), and kept. `asked` is the
    /// challenge's `scope`: asked for too when `access` does not cover it.
    func fetchToken(from endpoint: TokenEndpoint, for access: RepositoryAccess, asked: String?) async throws(OCIError)
        -> RegistryToken
    {
        let extra = (asked ?? "").split(separator: " ").prefix(8).map(String.init).filter { !access.covers($0) }
        let response = try await transfer(
            "GET",
            url: endpoint.url(scopes: [access.scope] + extra),
            authorization: login?.authorization,
            maxBytes: RegistryToken.maximumAnswerSize,
            what: "the answer of the token service \(endpoint.origin)"
        )
        switch response.status {
        case 200:
            let token = try RegistryToken(answer: response.body, receivedAt: .now, from: endpoint.origin)
            tokens.store(token, for: tokenKey(access), at: .now)
            return token
        case 401, 403:
            let advice =
                if let login {
                    "refused the login '\(login.username)' (HTTP \(response.status)): check the user name and password "
                        + "(GITER_REGISTRY_USERNAME and GITER_REGISTRY_PASSWORD for giter)"
                } else {
                    "refused anonymous access (HTTP \(response.status)): give a user name and password "
                        + "(GITER_REGISTRY_USERNAME and GITER_REGISTRY_PASSWORD for giter)"
                }
            throw OCIError(.authentication, "the token service \(endpoint.origin) of \(host) \(advice)")
        default:
            let detail = String(decoding: response.body.prefix(200), as: UTF8.self)
                .filter { !$0.isNewline && ($0.isASCII ? ($0.asciiValue ?? 0) >= 0x20 : true) }
            throw OCIError(
                .registry,
                "the token service \(endpoint.origin) of \(host) answered HTTP \(response.status) for \(access.scope)"
                    + (detail.isEmpty ? "" : ": \(detail)")
            )
        }
    }

    /// The registry refused a token fetched for this request: no second
    /// fetch, but what to check.
    func refusal(of access: RepositoryAccess, by challenge: AuthenticationChallenge?, from endpoint: TokenEndpoint)
        -> OCIError
    {
        let reason = [challenge?.parameters["error"], challenge?.parameters["error_description"]]
            .compactMap { $0.map { String($0.prefix(200).filter { $0.isASCII && !$0.isNewline }) } }
            .filter { !$0.isEmpty }
        let who = login.map { "the user '\($0.username)'" } ?? "an anonymous client"
        return OCIError(
            .authentication,
            "the registry \(host) refused the token its token service \(endpoint.origin) issued for \(access.scope) "
                + "(HTTP 401\(reason.isEmpty ? "" : ", " + reason.joined(separator: ": "))): check that \(who) may "
                + (access.push ? "push to" : "pull from") + " \(access.repository) (GITER_REGISTRY_USERNAME and "
                + "GITER_REGISTRY_PASSWORD for giter), and that the registry trusts its token service's certificate"
        )
    }
}

extension RepositoryAccess {
    /// Whether a token for this access grants `scope` (`repository:NAME:ACTIONS`).
    func covers(_ scope: String) -> Bool {
        let prefix = "repository:\(repository):"
        guard scope.hasPrefix(prefix) else { return false }
        return scope.dropFirst(prefix.count).split(separator: ",").allSatisfy { $0 == "pull" || (push && $0 == "push") }
    }
}
