import Foundation
import GitServerFixtures
import Giter
import Testing

/// Someone who commits to the guarded exchange, known by the e-mail their
/// commits carry (`git -c user.email=…`).
struct Person: Sendable, CustomStringConvertible {
    let name: String
    let email: String

    /// The producer (party `lab`: namespace `lab`, kind `Experiment`).
    static let alice = Person(name: "Alice", email: "alice@lab.example")
    /// The consumer (party `testbed`: the same scope).
    static let runner = Person(name: "Runner", email: "runner@testbed.example")
    /// The admin (party `owners`).
    static let owner = Person(name: "Owner", email: "owner@lab.example")
    /// A member of no party.
    static let mallory = Person(name: "Mallory", email: "mallory@elsewhere.example")
    /// The producer of namespace `team-b`, once the admin adds party `team-b`.
    static let bob = Person(name: "Bob", email: "bob@team-b.example")

    var description: String { "\(name) <\(email)>" }
}

/// A bare repository guarded by `giter guard install`, whose history holds
/// a real contract: the owner's first commit writes `.giter/policy.yaml`
/// (a producer, a consumer and an admin party) and the `Experiment`
/// definition in `.giter/crds/`; Alice's second commit creates `exp-1`.
/// Both are pushed before the guard is installed.
struct GuardedExchange {
    let fixture: GuardFixture

    static let exp1 = ResourceKey(namespace: "lab", kind: "Experiment", name: "exp-1")
    static let exp2 = ResourceKey(namespace: "lab", kind: "Experiment", name: "exp-2")
    static let policyPath = ExchangePolicy.path
    static let definitionPath = ".giter/crds/experiment.yaml"

    /// Serves the exchange as `remote`, guarded with `backend`, for `body`.
    static func with(
        _ remote: GuardRemote,
        backend: ToolBackend,
        _ body: (GuardedExchange) async throws -> Void
    ) async throws {
        try await GuardFixture.with(remote, backend: backend, seed: seed) { fixture in
            try await body(GuardedExchange(fixture: fixture))
        }
    }

    /// The history before the guard: the contract, then `exp-1`.
    static func seed(_ fixture: GuardFixture) async throws {
        let folder = fixture.scratch.appending("seed", isDirectory: true)
        let environment = WorkClone.committerFree(fixture.client)
        try await runGitChecked(["init", "--quiet", "-b", "main", folder.path], environment: environment)
        let seed = WorkClone(folder: folder, environment: environment)
        try seed.write(policyPath, policy)
        try seed.write(definitionPath, definition)
        try seed.write("README.md", "# The lab's exchange\n")
        try await seed.commit(as: .owner, "The contract")
        try seed.write(exp1.repositoryPath, experiment("exp-1"))
        try await seed.commit(as: .alice, "Create exp-1")
        try await seed.git(["push", "--quiet", fixture.repository.path, "main:refs/heads/main"])
    }

    /// A new clone of the exchange, for plain `git push`.
    func clone(_ name: String = "clone") async throws -> WorkClone {
        let environment = WorkClone.committerFree(fixture.client)
        let folder = fixture.scratch.appending(name, isDirectory: true)
        try await runGitChecked(["clone", "--quiet", fixture.url, folder.path], environment: environment)
        return WorkClone(folder: folder, environment: environment)
    }

    /// Every ref of the server's repository and its object.
    func refs() async throws -> [String: String] {
        try await fixture.repository.refs()
    }

    /// Expects `push` refused by the guard with exactly `expected` (rule,
    /// path, commit), on the client's side, and the server's refs as `before`.
    func expectRefused(
        _ push: ProcessOutput,
        _ expected: [Rejection.Seen],
        refsBefore before: [String: String],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        #expect(!push.succeeded, "the push was accepted: \(push)", sourceLocation: sourceLocation)
        #expect(push.stderr.contains("pre-receive hook declined"), "\(push)", sourceLocation: sourceLocation)
        let rejections = Rejection.parse(push.stderr)
        #expect(Set(rejections.map(\.seen)) == Set(expected), "\(push.stderr)", sourceLocation: sourceLocation)
        #expect(rejections.allSatisfy { !$0.message.isEmpty }, "\(push.stderr)", sourceLocation: sourceLocation)
        #expect(try await refs() == before, "a refused push moved a ref", sourceLocation: sourceLocation)
    }

    /// Expects `push` accepted and the server's `main` at `tip`.
    func expectAccepted(
        _ push: ProcessOutput,
        main tip: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        #expect(push.succeeded, "\(push)", sourceLocation: sourceLocation)
        #expect(Rejection.parse(push.stderr).isEmpty, "\(push.stderr)", sourceLocation: sourceLocation)
        #expect(try await refs()["refs/heads/main"] == tip, sourceLocation: sourceLocation)
    }
}

extension GuardedExchange {
    /// The policy of the first commit.
    static let policy = """
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
            - email: alice@lab.example
          - name: testbed
            role: consumer
            namespaces: ["lab"]
            kinds: ["Experiment"]
            members:
            - email: runner@testbed.example
          - name: owners
            role: admin
            members:
            - email: owner@lab.example
          unknownKinds: reject
          refs: ["refs/tags/v*"]

        """

    /// The policy with one more party, `team-b`, whose producer is Bob.
    static let policyWithTeamB = policy.replacingOccurrences(
        of: "  - name: owners\n",
        with: """
              - name: team-b
                role: producer
                namespaces: ["team-b"]
                kinds: ["Experiment"]
                members:
                - email: bob@team-b.example
              - name: owners

            """
    )

    /// The policy with the consumer made a member of the producer party too.
    static let policyPromotingRunner = policy.replacingOccurrences(
        of: "    - email: alice@lab.example\n",
        with: "    - email: alice@lab.example\n    - email: runner@testbed.example\n"
    )

    /// `Experiment` of `lab.example`, `v1`, with a status subresource.
    static let definition = """
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
                    required: ["image"]
                    properties:
                      image:
                        type: string
                        minLength: 1
                      replicas:
                        type: integer
                        minimum: 0
                  status:
                    type: object
                    properties:
                      phase:
                        type: string
                        enum: ["Pending", "Running", "Done"]

        """

    /// A resource file as the producer writes it, with `status` appended when given.
    static func experiment(
        _ name: String,
        namespace: String = "lab",
        kind: String = "Experiment",
        image: String = "lab/runner:1",
        replicas: Int = 2,
        status: String? = nil
    ) -> String {
        var text = """
            apiVersion: lab.example/v1
            kind: \(kind)
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              image: \(image)
              replicas: \(replicas)

            """
        if let status { text += "status:\n  phase: \(status)\n" }
        return text
    }
}
