import Foundation
import Giter

/// The resource the soak exchanges: a spec that names its producer and a
/// revision the producer counts up, and a status that says which consumer
/// saw which revision.
typealias SoakItem = CustomResource<SoakSpec, SoakStatus>

/// What a producer asks for. Each apply of a producer raises `revision` by
/// one, so every acknowledged apply has a spec of its own (its ``digest``).
struct SoakSpec: ResourceSpec, Hashable {
    /// The producer that owns the resource (`p1`, `p2`, …).
    var owner: String
    /// The producer's count of updates of this resource, from 1.
    var revision: Int
    /// Some text, so that files are not trivially small.
    var payload: String

    init(owner: String, revision: Int) {
        self.owner = owner
        self.revision = revision
        payload = Self.payload(owner: owner, revision: revision)
    }

    /// The payload of a revision: about 200 bytes that differ per revision.
    static func payload(owner: String, revision: Int) -> String {
        (0..<8).map { "\(owner)-r\(revision)-\($0)" }.joined(separator: " ")
    }

    /// The soak's own digest of the spec: 64-bit FNV-1a over its fields, as
    /// 16 hexadecimal digits. The producer's ledger records it; the audit
    /// recomputes it from every version of the file in the history.
    var digest: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(owner)\n\(revision)\n\(payload)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// What a consumer reports: `Ready` for the generation it saw.
struct SoakStatus: ReconcilableStatus, Hashable {
    var observedGeneration: Int64?
    var conditions: [Condition]
    /// The consumer that wrote the status (`c1`, `c2`, …).
    var consumer: String?
    /// The spec's revision the consumer saw.
    var revision: Int?

    init() {
        conditions = []
    }
}

/// The soak exchange's names and contract.
enum SoakAPI {
    static let group = "soak.giter.example"
    static let apiVersion = "\(group)/v1"
    static let kind = "SoakItem"
    static let namespace = "soak"
    static let resourceType = ResourceType(apiVersion: apiVersion, kind: kind)
    static let definitionPath = "\(Contract.definitionsFolder)/soakitem-crd.yaml"
    static let branch = "main"

    /// The key of a producer's `index`-th resource.
    static func key(owner: String, index: Int) -> ResourceKey {
        ResourceKey(namespace: namespace, kind: kind, name: "\(owner)-\(index)")
    }

    /// A resource of `owner` at `revision`.
    static func item(name: String, owner: String, revision: Int) -> SoakItem {
        SoakItem(
            apiVersion: apiVersion, kind: kind,
            metadata: ObjectMeta(name: name, namespace: namespace, labels: ["\(group)/owner": owner]),
            spec: SoakSpec(owner: owner, revision: revision))
    }

    /// The e-mail address of a soak process (`p1`, `c2`, `admin`).
    static func email(_ id: String) -> String { "\(id)@\(group)" }

    /// The identity a soak process writes as.
    static func identity(_ id: String, role: ExchangeRole) -> ExchangeIdentity {
        ExchangeIdentity(name: "Soak \(id)", email: email(id), role: role)
    }

    /// The policy: the producers write specs, the consumers statuses, of SoakItems in `soak`.
    static func policyText(producers: [String], consumers: [String]) -> String {
        let policy = ExchangePolicy(parties: [
            ExchangePolicy.Party(
                name: "producers", role: .producer, namespaces: [namespace], kinds: [kind],
                members: producers.map { ExchangePolicy.Member(email: email($0)) }),
            ExchangePolicy.Party(
                name: "consumers", role: .consumer, namespaces: [namespace], kinds: [kind],
                members: consumers.map { ExchangePolicy.Member(email: email($0)) }),
            ExchangePolicy.Party(name: "owners", role: .admin, members: [ExchangePolicy.Member(email: email("admin"))]),
        ])
        return "# The soak's contract; see Documentation/Reliability.md, \"Soak\".\n"
            + YAMLWriter().write(policy.document)
    }

    /// The CustomResourceDefinition of ``SoakItem``.
    static let definition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: soakitems.soak.giter.example
        spec:
          group: soak.giter.example
          names:
            kind: SoakItem
            listKind: SoakItemList
            plural: soakitems
            singular: soakitem
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [owner, revision, payload]
                    properties:
                      owner:
                        type: string
                      revision:
                        type: integer
                        minimum: 1
                      payload:
                        type: string
                        maxLength: 4096
                  status:
                    type: object
                    properties:
                      consumer:
                        type: string
                      revision:
                        type: integer
                        minimum: 1

        """
}
