import Giter
import GiterSchema

/// What `giter apply` checks before it commits anything: each manifest
/// against the contract in force at the branch's tip — the kind's
/// CustomResourceDefinition (its defaults applied first, as the API server
/// does) and the policy's scope for the writer's producer parties — so a
/// spec the readers would ignore is never written. The store checks its own
/// change again when it writes.
struct ApplyCheck {
    let contract: Contract
    /// The writer's e-mail address.
    let email: String

    /// The check for the contract at `tip`.
    ///
    /// - Throws: ``ToolError`` when the contract cannot be read: nothing
    ///   could be written under it.
    init(reader: any RepositoryReader, tip: ObjectID, email: String) async throws {
        var ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: tip))
        switch try await ledger.contract() {
        case .success(let contract): self.contract = contract
        case .failure(let error):
            throw ToolError(
                "the exchange's contract cannot be read, so nothing can be applied: \(error); an admin fixes it"
            )
        }
        self.email = email
    }

    /// The manifest with the definition's defaults applied, or its problems
    /// as `FILE:LINE:COLUMN: field: message` lines.
    func check(_ manifest: Manifest) -> Result<Manifest, Problems> {
        let resource = manifest.resource
        let key = ResourceKey(
            namespace: resource.metadata.namespace ?? "",
            kind: resource.kind,
            name: resource.metadata.name
        )
        if let problem = policyProblem(manifest, key: key) { return .failure(Problems(lines: [problem])) }
        guard let mapping = manifest.document.mapping else { return .success(manifest) }
        switch contract.definition(apiVersion: resource.apiVersion, kind: resource.kind) {
        case .found(let version):
            // Plaintext in x-giter-encrypted fields: the store seals them after this check.
            let errors = version.validate(
                version.applyingDefaults(to: mapping), sections: [.spec], encryptedFields: .plaintext)
            guard errors.isEmpty else {
                return .failure(Problems(lines: errors.map { line(manifest, $0.location, $0.description) }))
            }
            return .success(defaulted(manifest, version: version, mapping: mapping))
        case .versionNotServed(let served):
            let versions = served.isEmpty ? "no version" : served.joined(separator: ", ")
            return .failure(
                Problems(lines: [
                    line(
                        manifest,
                        manifest.document["apiVersion"]?.location,
                        "apiVersion: Invalid value: \"\(resource.apiVersion)\": the definition of \(resource.kind) serves \(versions)"
                    )
                ])
            )
        case .none:
            guard contract.policy?.unknownKinds == .reject else { return .success(manifest) }
            return .failure(
                Problems(lines: [
                    line(
                        manifest,
                        manifest.document["kind"]?.location,
                        "kind: Forbidden: no CustomResourceDefinition in \(Contract.definitionsFolder)/ defines \(resource.kind) "
                            + "in \(resource.apiVersion); an admin adds one, or sets unknownKinds: allow"
                    )
                ])
            )
        }
    }

    /// Problems of one manifest, each a line.
    struct Problems: Error {
        var lines: [String]
    }

    /// Whether one of the writer's producer parties covers `key`; `nil` when
    /// one does or the exchange is open.
    private func policyProblem(_ manifest: Manifest, key: ResourceKey) -> String? {
        guard let policy = contract.policy else { return nil }
        let document = manifest.document
        let producers = policy.parties(of: email).filter { $0.role == .producer }
        guard !producers.isEmpty else {
            let roles = policy.parties(of: email).map { "\($0.name) (\($0.role))" }
            let held = roles.isEmpty ? "is a member of no party" : "belongs only to \(roles.joined(separator: ", "))"
            return line(
                manifest,
                document.location,
                "Forbidden: \(email) \(held) in \(ExchangePolicy.path), and only a producer party's member applies specs; "
                    + "write as a producer with --identity, or ask an admin to add you"
            )
        }
        if producers.contains(where: { $0.covers(key) }) { return nil }
        let scopes = producers.map {
            "\($0.name): namespaces [\($0.namespaces.joined(separator: ", "))], kinds [\($0.kinds.joined(separator: ", "))]"
        }
        // Whether some party's namespaces cover the key's: each kind glob matches itself as a name.
        let namespaceCovered = producers.contains { party in
            party.kinds.contains { party.covers(ResourceKey(namespace: key.namespace, kind: $0, name: key.name)) }
        }
        let field = namespaceCovered ? "kind" : "metadata.namespace"
        let value = namespaceCovered ? key.kind : key.namespace
        let location =
            namespaceCovered
            ? document["kind"]?.location
            : (document["metadata"]?["namespace"]?.location ?? document["metadata"]?.location)
        return line(
            manifest,
            location ?? document.location,
            "\(field): Forbidden: \"\(value)\": outside the producer parties of \(email) (\(scopes.joined(separator: "; ")))"
        )
    }

    /// The manifest with the defaults the definition adds, when it adds any.
    private func defaulted(_ manifest: Manifest, version: CustomResourceVersion, mapping: Node.Mapping) -> Manifest {
        let withDefaults = version.applyingDefaults(to: mapping)
        guard withDefaults != mapping,
            var resource = try? DocumentDecoder().decode(DynamicResource.self, from: .mapping(withDefaults))
        else { return manifest }
        resource.metadata.namespace = manifest.resource.metadata.namespace
        var result = manifest
        result.resource = resource
        return result
    }

    private func line(_ manifest: Manifest, _ location: SourceLocation?, _ message: String) -> String {
        let place = location ?? manifest.document.location
        return "\(manifest.file):\(place?.description ?? "1:1"): \(message)"
    }
}
