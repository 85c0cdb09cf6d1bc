import Foundation

/// A registry's token service, from its `Bearer` challenge
/// (`realm="https://auth.example/token",service="registry.example"`),
/// checked before anything is sent to it.
///
/// The realm must be an `https` URL without a user name or password; plain
/// `http` only when the registry itself is reached over plain HTTP on
/// loopback and the realm is on loopback too (a test, a registry on this
/// machine).
struct TokenEndpoint: Sendable, Hashable {
    /// The longest realm URL accepted.
    static let maximumRealmLength = 2048

    var realm: URL
    /// The `service` parameter, passed back to the token server.
    var service: String?

    /// The endpoint a `Bearer` challenge of `registry` names.
    ///
    /// - Throws: ``OCIError`` with code `authentication` when the realm is
    ///   missing, not a URL, has a user name or password, or is not on a
    ///   route the login and the token may take.
    init(_ challenge: AuthenticationChallenge, of registry: OCIRegistry) throws(OCIError) {
        let refused = "the registry \(registry.host) names a token service Giter will not use"
        guard let text = challenge.parameters["realm"], !text.isEmpty else {
            throw OCIError(.authentication, "\(refused): its Bearer challenge has no realm")
        }
        let shown = String(
            text.unicodeScalars.prefix(200).map { (0x20...0x7E).contains($0.value) ? Character($0) : "?" }
        )
        guard text.utf8.count <= Self.maximumRealmLength, let url = URL(string: text),
            let scheme = url.scheme?.lowercased(),
            let host = url.host, !host.isEmpty
        else {
            throw OCIError(.authentication, "\(refused): the realm '\(shown)' is not a URL")
        }
        guard url.user == nil, url.password == nil else {
            throw OCIError(.authentication, "\(refused): its realm URL carries a user name or password")
        }
        switch scheme {
        case "https":
            break
        case "http" where registry.plainHTTP && OCIRegistry.isLoopback(registry.host) && OCIRegistry.isLoopback(host):
            break
        case "http":
            throw OCIError(
                .authentication,
                "\(refused): its realm '\(shown)' is plain HTTP, which would carry the login and the token unencrypted "
                    + "(plain HTTP is accepted only for a registry and token service both on loopback)"
            )
        default:
            throw OCIError(.authentication, "\(refused): the realm '\(shown)' is not an https URL")
        }
        realm = url
        service = challenge.parameters["service"]
    }

    /// `scheme://host[:port]` of the realm, for messages.
    var origin: String {
        "\(realm.scheme ?? "https")://\(realm.host ?? "")" + (realm.port.map { ":\($0)" } ?? "")
    }

    /// The realm with `service` and each scope as query parameters (after any the realm has).
    func url(scopes: [String]) -> URL {
        let added = (service.map { ["service=" + Self.encoded($0)] } ?? []) + scopes.map { "scope=" + Self.encoded($0) }
        guard var components = URLComponents(url: realm, resolvingAgainstBaseURL: false) else { return realm }
        let query = ([components.percentEncodedQuery].compactMap { $0 } + added).filter { !$0.isEmpty }
        components.percentEncodedQuery = query.joined(separator: "&")
        return components.url ?? realm
    }

    /// Percent-encodes all but RFC 3986's unreserved characters, as Go's `url.Values` does.
    private static func encoded(_ value: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
