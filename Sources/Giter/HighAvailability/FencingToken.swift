/// The lease generation a commit was written under, carried in its
/// `Giter-Lease: <lease> generation=<n>` trailer (``CommitTrailers/lease``).
///
/// Readers refuse a commit whose token is lower than one already accepted
/// in the branch's history (``ExchangeLedger``); the server's guard refuses
/// one that is not the lease's current generation (``PushGuard``).
public struct FencingToken: Sendable, Hashable, CustomStringConvertible {
    /// The lease's name (the ref `refs/giter/leases/<lease>`).
    public var lease: String
    /// The lease's generation when the commit was written.
    public var generation: UInt64

    public init(lease: String, generation: UInt64) {
        self.lease = lease
        self.generation = generation
    }

    /// Reads a trailer's value, `<lease> generation=<n>`; `nil` when malformed.
    public init?(trailerValue value: String) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].hasPrefix("generation="),
            (try? RemoteReferenceName.lease(String(parts[0]))) != nil
        else { return nil }
        let digits = parts[1].dropFirst("generation=".count)
        guard digits.count <= 20, digits.allSatisfy(\.isASCII), let generation = UInt64(digits), generation > 0 else {
            return nil
        }
        self.init(lease: String(parts[0]), generation: generation)
    }

    /// `<lease> generation=<n>`.
    public var trailerValue: String { "\(lease) generation=\(generation)" }

    public var trailer: Trailer { Trailer(CommitTrailers.lease, trailerValue) }

    public var description: String { trailerValue }

    /// The tokens `commit` carries; `.failure` names a malformed one.
    static func tokens(of commit: CommitInfo) -> Result<[FencingToken], FencingTokenError> {
        var tokens: [FencingToken] = []
        for trailer in commit.trailers where trailer.key == CommitTrailers.lease {
            guard let token = FencingToken(trailerValue: trailer.value) else {
                return .failure(FencingTokenError(value: trailer.value))
            }
            tokens.append(token)
        }
        return .success(tokens)
    }
}

/// A `Giter-Lease` trailer that does not read as a fencing token.
struct FencingTokenError: Error {
    var value: String

    var message: String {
        "its \(CommitTrailers.lease) trailer '\(value.prefix(80))' is not '<lease> generation=<n>': "
            + "a fencing token that cannot be read fences nothing, so the commit is refused"
    }
}
