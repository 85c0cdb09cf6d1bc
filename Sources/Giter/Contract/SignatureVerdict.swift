/// What a commit's signature says, judged by the policy in force at its
/// parent: who signed it (party, member, key) or why it does not count.
///
/// ``ContractChecker/signatureVerdict(of:)`` makes it; `giter verify` and
/// `giter history` print it; with ``ExchangePolicy/requireSignatures`` a
/// commit whose verdict is not ``Status/verified`` for its author is a
/// ``ContractViolation/Rule/signature`` violation.
public struct SignatureVerdict: Sendable, Hashable, CustomStringConvertible {
    public enum Status: String, Sendable, Hashable {
        /// A good signature by a key the policy lists.
        case verified
        /// No signature.
        case unsigned
        /// A signature by a key no member of the policy holds (never listed,
        /// or removed by a policy change before the commit).
        case unknownKey = "unknown-key"
        /// A signature that does not verify: the commit or the signature was changed.
        case bad
        /// An SSH signature made for another use than Git commits (namespace other than `git`).
        case wrongNamespace = "wrong-namespace"
        /// A signature Giter does not read (X.509, or not a signature at all).
        case unsupported
        /// The check could not run (for example `gpg` is missing): it says no.
        case unverifiable
    }

    public var status: Status
    /// The signature's kind; `nil` when unsigned.
    public var format: SignatureFormat?
    /// The signing key: `SHA256:…` for SSH, the primary key's fingerprint
    /// for OpenPGP; `nil` when unknown.
    public var keyFingerprint: String?
    /// The members holding the key (their e-mail as the policy writes it)
    /// with their party, in the policy's order; empty unless verified.
    public var holders: [Holder]
    /// Why it does not count, in words; empty when verified.
    public var detail: String

    /// A member holding the signing key.
    public struct Holder: Sendable, Hashable {
        public var party: String
        public var member: String
        public init(party: String, member: String) {
            self.party = party
            self.member = member
        }
    }

    public init(status: Status, format: SignatureFormat? = nil, keyFingerprint: String? = nil, holders: [Holder] = [], detail: String = "") {
        self.status = status
        self.format = format
        self.keyFingerprint = keyFingerprint
        self.holders = holders
        self.detail = detail
    }

    /// The holders who are the commit's author: the commit is attributed to
    /// them. Empty when the signature does not count for `author`.
    public func signers(author email: String) -> [Holder] {
        guard status == .verified else { return [] }
        let wanted = email.lowercasedASCII
        return holders.filter { $0.member.lowercasedASCII == wanted }
    }

    /// Why the signature does not attribute the commit to `author`; `nil` when it does.
    public func problem(author email: String) -> String? {
        switch status {
        case .verified:
            guard signers(author: email).isEmpty else { return nil }
            let members = Set(holders.map(\.member)).sorted().joined(separator: ", ")
            return "signed with a key of \(members) (\(keyFingerprint ?? "?")), but the author is \(email): "
                + "a commit is attributed to the member whose key signed it"
        case .unsigned:
            return "the policy requires signed commits and this one is not signed; sign it with a key the policy lists for \(email) "
                + "(Documentation/Signing.md)"
        default:
            return detail
        }
    }

    /// `party/member (key)` for a verified signature, else the status and why.
    public var description: String {
        switch status {
        case .verified:
            let who = holders.map { "\($0.party)/\($0.member)" }.joined(separator: ", ")
            return "signed by \(who) (\(keyFingerprint ?? "?"))"
        case .unsigned:
            return "unsigned"
        default:
            let key = keyFingerprint.map { " (\($0))" } ?? ""
            return "\(status.rawValue)\(key): \(detail)"
        }
    }
}
