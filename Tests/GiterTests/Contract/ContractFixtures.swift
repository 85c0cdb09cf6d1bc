import Giter
import GiterTesting

/// The people of the tests' exchange, as their commits name them.
enum Who {
    /// The lab's producer (party `lab`: namespaces `lab`, `team-*`; kind `Experiment`).
    static let alice = Signature(name: "Alice", email: "alice@lab.example")
    /// The testbed's consumer (party `testbed`, same scope), whose commits only `ci-runner` may push.
    static let runner = Signature(name: "Runner", email: "runner@testbed.example")
    /// The owner (party `owners`, admin).
    static let owner = Signature(name: "Owner", email: "owner@lab.example")
    /// A member of two parties: `testbed` (consumer) and `ops` (producer of namespace `ops`).
    static let dual = Signature(name: "Dual", email: "dual@lab.example")
    /// The producer of namespace `tools`, any kind (party `tools`).
    static let tools = Signature(name: "Tools", email: "tools@lab.example")
    /// The consumer of namespace `tools`, any kind (party `tools-runner`).
    static let toolsRunner = Signature(name: "Tools runner", email: "runner@tools.example")
    /// A member of no party.
    static let mallory = Signature(name: "Mallory", email: "mallory@elsewhere.example")
}

/// The files of the tests' exchange.
enum Files {
    static let policy = ExchangePolicy.path
    static let experimentDefinition = ".giter/crds/experiment.yaml"
    static let probeDefinition = ".giter/crds/probe.yaml"

    /// The policy in force from the first commit.
    static let policyText = """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata:
          name: exchange
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: ["lab", "team-*"]
            kinds: ["Experiment"]
            members:
            - email: alice@lab.example
              signingKeys: []
          - name: testbed
            role: consumer
            namespaces: ["lab", "team-*"]
            kinds: ["Experiment"]
            members:
            - email: runner@testbed.example
              pushers: ["ci-runner"]
            - email: dual@lab.example
          - name: ops
            role: producer
            namespaces: ["ops"]
            members:
            - email: dual@lab.example
          - name: tools
            role: producer
            namespaces: ["tools"]
            members:
            - email: tools@lab.example
          - name: tools-runner
            role: consumer
            namespaces: ["tools"]
            members:
            - email: runner@tools.example
          - name: owners
            role: admin
            members:
            - email: owner@lab.example
          requireSignatures: false
          unknownKinds: reject
          refs: ["refs/tags/*"]

        """

    /// `Experiment` of `lab.example`: `v1` served with a status subresource, `v0` not served.
    static let experimentDefinitionText = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: experiments.lab.example
        spec:
          group: lab.example
          names:
            kind: Experiment
            plural: experiments
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
                x-kubernetes-preserve-unknown-fields: true
          - name: v0
            served: false
            storage: false
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true

        """

    /// `Probe` of `lab.example`: served, with no status subresource.
    static let probeDefinitionText = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: probes.lab.example
        spec:
          group: lab.example
          names:
            kind: Probe
            plural: probes
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true

        """

    /// The contract of the first commit: the policy and both definitions.
    static let contract = [
        policy: policyText, experimentDefinition: experimentDefinitionText, probeDefinition: probeDefinitionText,
    ]

    /// A resource file as the producer writes it, with `status` appended when given.
    static func resource(
        _ name: String,
        namespace: String = "lab",
        kind: String = "Experiment",
        apiVersion: String = "lab.example/v1",
        image: String = "lab/runner:1",
        status: String? = nil
    ) -> String {
        var text = """
            apiVersion: \(apiVersion)
            kind: \(kind)
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              image: \(image)
              replicas: 2

            """
        if let status { text += "status:\n  phase: \(status)\n" }
        return text
    }
}

extension ResourceKey {
    static func experiment(_ name: String, namespace: String = "lab") -> ResourceKey {
        ResourceKey(namespace: namespace, kind: "Experiment", name: name)
    }
}

extension PathEdit {
    static func write(_ path: String, _ text: String) -> PathEdit { .write(path: path, contents: Array(text.utf8)) }
    static func write(_ key: ResourceKey, _ text: String) -> PathEdit { .write(key.repositoryPath, text) }
}

/// What a test expects of a violation: which rule, which path, which commit.
struct Seen: Hashable, CustomStringConvertible {
    var rule: ContractViolation.Rule
    var path: String?
    var commit: ObjectID?

    init(_ rule: ContractViolation.Rule, _ path: String?, _ commit: ObjectID?) {
        self.rule = rule
        self.path = path
        self.commit = commit
    }

    init(_ violation: ContractViolation) {
        self.init(violation.rule, violation.path, violation.commit)
    }

    var description: String { "\(commit?.hex ?? "-") \(path ?? "-"): \(rule)" }
}

extension Array where Element == ContractViolation {
    /// Rule, path and commit of each violation, in order.
    var seen: [Seen] { map(Seen.init) }
}
