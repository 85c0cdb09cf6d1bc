import GiterCodec

/// A bearer token a registry's token server issued for one scope, and
/// until when Giter uses it.
///
/// It never prints: its ``description`` and its mirror (`dump`) hide the value.
struct RegistryToken: Sendable, CustomStringConvertible, CustomReflectable {
    /// How long a token lives when the answer does not say (`expires_in`),
    /// as the distribution token specification defines.
    static let defaultLifetime: Duration = .seconds(60)
    /// The most bytes of a token server's answer Giter reads.
    static let maximumAnswerSize = 64 << 10

    /// The token, as sent in `Authorization: Bearer <value>`.
    let value: String
    /// When Giter stops using it: a little before the token server says it expires.
    let usableUntil: ContinuousClock.Instant

    init(value: String, usableUntil: ContinuousClock.Instant) {
        self.value = value
        self.usableUntil = usableUntil
    }

    /// Reads a token server's answer, `{"token": …}` or `{"access_token": …}`
    /// with an optional `expires_in` (seconds), received at `now` from `server`.
    ///
    /// - Throws: ``OCIError`` with code `malformed` when the answer is not
    ///   such a JSON object, or its token could not travel in a header. The
    ///   message never holds the answer's text (it may hold a token).
    init(answer: [UInt8], receivedAt now: ContinuousClock.Instant, from server: String) throws(OCIError) {
        let decoded: Answer
        do {
            decoded = try DocumentDecoder().decode(Answer.self, fromJSON: String(decoding: answer, as: UTF8.self))
        } catch {
            throw OCIError(
                .malformed,
                "the token server \(server) answered \(answer.count) bytes that are not a token (a JSON object with "
                    + "\"token\" or \"access_token\"): check that the registry's realm is its token service"
            )
        }
        guard let value = decoded.token ?? decoded.accessToken, !value.isEmpty else {
            throw OCIError(
                .malformed,
                "the token server \(server) answered without a token (\"token\" or \"access_token\")"
            )
        }
        guard value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw OCIError(
                .malformed,
                "the token server \(server) answered a token with characters a header cannot carry"
            )
        }
        // A lifetime that is missing, zero, negative or absurd counts as the default.
        let seconds = decoded.expiresIn.flatMap { $0.isFinite && $0 >= 1 && $0 <= 86_400 ? $0 : nil }
        let lifetime = seconds.map { Duration.milliseconds(Int64($0 * 1000)) } ?? Self.defaultLifetime
        // Stop using it a tenth of its life early (at most 30 s), so a request never carries it past expiry.
        self.init(value: value, usableUntil: now + lifetime - min(lifetime / 10, .seconds(30)))
    }

    var authorization: String { "Bearer " + value }

    var description: String { "<token>" }

    var customMirror: Mirror { Mirror(self, children: [:]) }

    private struct Answer: Decodable {
        var token: String?
        var accessToken: String?
        var expiresIn: Double?

        enum CodingKeys: String, CodingKey {
            case token
            case accessToken = "access_token"
            case expiresIn = "expires_in"
        }
    }
}

/// What a request needs of a repository, and the token scope that grants it
/// (`repository:NAME:pull` or `repository:NAME:pull,push`).
struct RepositoryAccess: Sendable, Hashable {
    var repository: String
    var push: Bool

    static func pull(_ repository: String) -> RepositoryAccess { RepositoryAccess(repository: repository, push: false) }
    static func push(_ repository: String) -> RepositoryAccess { RepositoryAccess(repository: repository, push: true) }

    var scope: String { "repository:\(repository):" + (push ? "pull,push" : "pull") }

    /// The wider access whose token serves this one too.
    var wider: RepositoryAccess? { push ? nil : .push(repository) }
}
