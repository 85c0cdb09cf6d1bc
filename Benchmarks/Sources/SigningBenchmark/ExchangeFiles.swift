import Foundation
import Giter

/// The files of the benchmark's exchanges: a policy that requires signed
/// commits and lists one signing key for the producer's member, a CRD, and
/// the resources that member writes.
enum ExchangeFiles {
    /// The admin who writes the (trusted, unsigned) first commit.
    static let admin = Signature(name: "Owner", email: "owner@lab.example", date: epoch)
    /// The producer member who writes and signs every other commit.
    static let member = Signature(name: "Bench", email: BenchmarkKeys.email, date: epoch)
    static let crdPath = ".giter/crds/experiment.yaml"
    private static let epoch = Date(timeIntervalSince1970: 1_764_000_000)

    /// How many distinct resources the commits write in turn.
    static let resources = 20

    /// `.giter/policy.yaml` with `requireSignatures: true` and `key` — an
    /// OpenSSH public key line or an armored OpenPGP key block — listed
    /// for the member.
    static func policy(signingKey key: String) -> String {
        let entry: String
        if key.hasPrefix("-----BEGIN") {
            entry =
                "      - |\n"
                + key.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "        " + $0 }.joined(separator: "\n")
        } else {
            entry = "      - \(key)"
        }
        return """
            apiVersion: giter.dev/v1alpha1
            kind: ExchangePolicy
            metadata:
              name: exchange
            spec:
              parties:
              - name: lab
                role: producer
                namespaces: ["lab"]
                kinds: ["Experiment"]
                members:
                - email: \(member.email)
                  signingKeys:
            \(entry)
              - name: owners
                role: admin
                members:
                - email: \(admin.email)
              requireSignatures: true
              unknownKinds: reject

            """
    }

    static let crd = """
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
                properties:
                  spec:
                    type: object
                    required: [image, replicas]
                    properties:
                      image: {type: string, pattern: '^[a-z0-9./:-]+$'}
                      replicas: {type: integer, minimum: 0, maximum: 100}
                  status:
                    type: object
                    properties:
                      phase: {type: string, enum: [Pending, Running, Done]}

        """

    /// The contract files of the first commit, path → contents.
    static func contract(signingKey key: String) -> [String: [UInt8]] {
        [ExchangePolicy.path: Array(policy(signingKey: key).utf8), crdPath: Array(crd.utf8)]
    }

    /// The edit of the producer's commit number `index`: one small resource
    /// file, created on its first write and then its spec changed.
    static func edit(_ index: Int) -> PathEdit {
        let name = "run-\(index % resources)"
        let key = ResourceKey(namespace: "lab", kind: "Experiment", name: name)
        let text = """
            apiVersion: lab.example/v1
            kind: Experiment
            metadata:
              name: \(name)
              namespace: lab
            spec:
              image: lab/runner:\(index)
              replicas: 2

            """
        return .write(path: key.repositoryPath, contents: Array(text.utf8))
    }

    /// An `allowed_signers` line for git: `email namespaces="git" key`.
    static func allowedSigner(_ publicLine: String) -> String {
        let fields = publicLine.split(separator: " ")
        return "\(member.email) namespaces=\"git\" \(fields.prefix(2).joined(separator: " "))\n"
    }
}
