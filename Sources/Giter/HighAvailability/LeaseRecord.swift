#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What a lease ref (`refs/giter/leases/<name>`) holds: who holds the
/// lease, for how long a renewal counts, and the generation — the fencing
/// token, raised by one each time the lease changes hands.
///
/// The ref points at a commit with no parent and an empty tree whose
/// message carries the fields as trailers, so `git log` reads it and every
/// backend can write it with ``Transport/createCommit(_:signer:)``. Only
/// the consumer party writes leases (the server's guard says so, see
/// ``PushGuard``), so the commit says `Giter-Role: consumer`:
///
/// ```
/// lease consumer
///
/// Giter-Role: consumer
/// Giter-Lease-Holder: worker-1 4711 5f3a
/// Giter-Lease-Generation: 3
/// Giter-Lease-Duration-Ms: 15000
/// Giter-Lease-Renewal: 41
/// Giter-Lease-Renewed: 1796229000
/// ```
///
/// ``renewedAt`` is the holder's wall clock and only informs people: a
/// reader judges expiry by when it saw the ref last change
/// (see ``LeaderElection``), never by this time. ``renewal`` counts the
/// holder's renewals so that each one is a new commit, even within a second.
public struct LeaseRecord: Sendable, Hashable {
    /// Who holds the lease: one line of at most ``maxHolderLength`` bytes.
    public var holder: String
    /// The fencing token: 1 for the first holder, one more at each takeover.
    public var generation: UInt64
    /// How long a renewal counts, as readers measure it on their own clocks.
    public var duration: Duration
    /// How many times this holder renewed at this generation.
    public var renewal: UInt64
    /// When the holder renewed, by its own clock (whole seconds since 1970 in the
    /// trailer; read back from the commit's committer time; informative only).
    public var renewedAt: Date

    public init(holder: String, generation: UInt64, duration: Duration, renewal: UInt64 = 0, renewedAt: Date = Date()) {
        self.holder = holder
        self.generation = generation
        self.duration = duration
        self.renewal = renewal
        self.renewedAt = renewedAt
    }

    /// The longest holder name a record keeps.
    public static let maxHolderLength = 200
    /// The longest lease commit message a reader parses; longer is refused.
    public static let maxMessageLength = 4096

    /// The trailer keys.
    public enum Keys {
        public static let holder = "Giter-Lease-Holder"
        public static let generation = "Giter-Lease-Generation"
        public static let duration = "Giter-Lease-Duration-Ms"
        public static let renewal = "Giter-Lease-Renewal"
        public static let renewed = "Giter-Lease-Renewed"
    }

    /// Whether `holder` can name a holder: 1 to ``maxHolderLength`` bytes,
    /// no control characters.
    public static func isValidHolder(_ holder: String) -> Bool {
        !holder.isEmpty && holder.utf8.count <= maxHolderLength
            && !holder.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            && holder.first != " " && holder.last != " "
    }

    /// The commit that records this lease as `name`, written by `author`.
    public func commitRequest(lease name: String, author: Signature) -> CommitRequest {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return CommitRequest(
            parent: nil, edits: [], author: author, message: "lease \(name)",
            trailers: [
                Trailer(CommitTrailers.role, ExchangeRole.consumer.rawValue),
                Trailer(Keys.holder, holder),
                Trailer(Keys.generation, String(generation)),
                Trailer(Keys.duration, String(milliseconds)),
                Trailer(Keys.renewal, String(renewal)),
                Trailer(Keys.renewed, Self.timestamp(renewedAt)),
            ])
    }

    /// Reads the record from the lease commit `commit`.
    ///
    /// - Throws: ``LeaseError`` with code ``LeaseError/Code/unreadable``
    ///   when the commit has parents, a message over ``maxMessageLength``
    ///   bytes, or a missing, repeated or malformed field.
    public init(commit: CommitInfo, reference: RemoteReferenceName) throws(LeaseError) {
        func unreadable(_ why: String) -> LeaseError {
            LeaseError(
                .unreadable,
                "the lease \(reference) at \(commit.id.short) cannot be read: \(why); delete the ref on the server"
                    + " (git update-ref -d \(reference.rawValue)) and the replicas elect a leader afresh")
        }
        guard commit.parents.isEmpty else { throw unreadable("a lease commit has no parent") }
        guard commit.message.utf8.count <= Self.maxMessageLength else {
            throw unreadable("its message is longer than \(Self.maxMessageLength) bytes")
        }
        var fields: [String: String] = [:]
        for trailer in commit.trailers where trailer.key.hasPrefix("Giter-Lease-") {
            guard fields.updateValue(trailer.value, forKey: trailer.key) == nil else {
                throw unreadable("\(trailer.key) appears twice")
            }
        }
        func field(_ key: String) throws(LeaseError) -> String {
            guard let value = fields[key] else { throw unreadable("it has no \(key) trailer") }
            return value
        }
        func number(_ key: String) throws(LeaseError) -> UInt64 {
            let text = try field(key)
            guard text.count <= 20, let value = UInt64(text) else {
                throw unreadable("\(key) is '\(text.prefix(40))', not a whole number")
            }
            return value
        }
        let holder = try field(Keys.holder)
        guard Self.isValidHolder(holder) else { throw unreadable("\(Keys.holder) is empty, too long or not one line") }
        let generation = try number(Keys.generation)
        guard generation > 0 else { throw unreadable("\(Keys.generation) is 0; generations start at 1") }
        let milliseconds = try number(Keys.duration)
        guard milliseconds > 0, milliseconds <= 86_400_000 else {
            throw unreadable("\(Keys.duration) is \(milliseconds); give 1 to 86400000 milliseconds")
        }
        let renewal = try number(Keys.renewal)
        self.init(
            holder: holder, generation: generation, duration: .milliseconds(Int64(milliseconds)), renewal: renewal,
            renewedAt: commit.committer.date)
    }

    private static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return "\(seconds)"
    }
}
