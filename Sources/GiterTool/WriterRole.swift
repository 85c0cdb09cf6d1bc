import Giter

/// How a command chooses the role it writes in when `--role` is not given
/// (`Documentation/CLI.md`, "Roles"): its own default, or — for the
/// consumer's commands — the role of the identity's parties under the
/// exchange's policy, when they hold exactly one of producer and consumer.
///
/// The role only chooses what the command claims; the store refuses a write
/// that is not the role's (a consumer never writes a spec), and the contract
/// judges the commit by the identity's parties, not by its claim.
struct WriterRole {
    /// The role when neither `--role` nor the policy decides.
    var fallback: ExchangeRole
    /// Whether the policy in force at the branch's tip may decide.
    var followsPolicy: Bool

    /// The producer's commands: producer unless `--role` says otherwise.
    static let producer = WriterRole(fallback: .producer, followsPolicy: false)
    /// `status set` and `reconcile`: the identity's role under the policy, else consumer.
    static let consumer = WriterRole(fallback: .consumer, followsPolicy: true)

    /// The role the parties of `email` hold under the policy in force at
    /// the remote branch's tip (fetched), when it is exactly one of producer
    /// and consumer; `nil` without a branch, a policy, or such a party, and
    /// when the contract cannot be read (the store's own checks then refuse
    /// what is not allowed).
    static func role(of email: String, at transport: any Transport) async throws -> ExchangeRole? {
        guard let tip = try await transport.fetch() else { return nil }
        var ledger = ExchangeLedger(reader: transport, state: ExchangeLedger.State(commit: tip))
        guard case .success(let contract) = try await ledger.contract(), let policy = contract.policy else { return nil }
        return role(of: email, in: policy)
    }

    /// The one role, producer or consumer, of the parties of `email` in `policy`.
    static func role(of email: String, in policy: ExchangePolicy) -> ExchangeRole? {
        let roles = Set(
            policy.parties(of: email).compactMap { party -> ExchangeRole? in
                switch party.role {
                case .producer: .producer
                case .consumer: .consumer
                case .admin: nil
                }
            })
        return roles.count == 1 ? roles.first : nil
    }
}
