import Foundation
import GitServerFixtures
import Testing

/// Exchanges with a contract: a policy committed by its admin, and commits
/// made with plain git, as anyone with push access can.
extension ExchangeFixture {
    static let admin = "Olga Owner <owner@example.com>"
    static let consumerEmail = "testbed@example.com"

    /// A policy: the fixture's producer writes Experiments in `namespaces`,
    /// the testbed writes their status, the owner administers.
    static func policy(namespaces: [String] = ["default"], unknownKinds: String = "reject") -> String {
        """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata:
          name: exchange
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: [\(namespaces.map { "\"\($0)\"" }.joined(separator: ", "))]
            kinds: ["Experiment"]
            members:
            - email: producer@example.com
          - name: testbed
            role: consumer
            members:
            - email: \(consumerEmail)
          - name: owners
            role: admin
            members:
            - email: owner@example.com
          requireSignatures: false
          unknownKinds: \(unknownKinds)

        """
    }

    /// The definition of the fixture's `Experiment`.
    static let experimentDefinition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: experiments.giter.example
        spec:
          group: giter.example
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
                    required: [workload, size]
                    properties:
                      workload:
                        type: string
                      size:
                        type: integer
                        minimum: 1
                  status:
                    type: object
                    properties:
                      digest:
                        type: string

        """

    /// A fixture whose exchange `giter init --admin` created, and whose
    /// admin then committed ``policy(namespaces:unknownKinds:)`` and the
    /// Experiment definition.
    static func withPolicy(backend: ToolBackend = .libgit2, namespaces: [String] = ["default"]) async throws
        -> ExchangeFixture
    {
        let exchange = try await ExchangeFixture(backend: backend, initialized: false)
        let result = try await exchange.giter(["init", "--admin", admin])
        try #require(result.status == 0, "giter init --admin failed: \(result.stderr)")
        try await exchange.commitWithGit(author: admin, message: "The parties and the Experiment definition") {
            folder in
            try Data(policy(namespaces: namespaces).utf8).write(to: folder.appendingPathComponent(".giter/policy.yaml"))
            try Data(experimentDefinition.utf8).write(to: folder.appendingPathComponent(".giter/crds/experiment.yaml"))
        }
        return exchange
    }

    /// Clones the exchange, lets `edit` change the work tree, commits
    /// everything as `author` ("Name <email>") and pushes with plain git.
    ///
    /// - Returns: the new commit's id.
    @discardableResult
    func commitWithGit(author: String, message: String, edit: (URL) throws -> Void) async throws -> String {
        let open = try #require(author.lastIndex(of: "<"))
        let name = author[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(author[author.index(after: open)...].dropLast())
        let environment = GitEnvironment(name: name, email: email)
        let folder = directory.url.appendingPathComponent("work-\(UUID().uuidString)")
        try await runGitChecked(["clone", "--quiet", remote, folder.path], environment: environment)
        try edit(folder)
        try await runGitChecked(["add", "-A"], in: folder, environment: environment)
        try await runGitChecked(["commit", "--quiet", "-m", message], in: folder, environment: environment)
        try await runGitChecked(["push", "--quiet", "origin", "HEAD:main"], in: folder, environment: environment)
        return try await runGitChecked(["rev-parse", "HEAD"], in: folder, environment: environment).trimmedStdout
    }

    /// Runs `giter` with `arguments` and the exchange options, writing as `identity`.
    func giter(_ arguments: [String], identity: String, stdin: String? = nil) async throws -> GiterProcess.Result {
        var options = options
        if let index = options.firstIndex(of: "--identity") { options[index + 1] = identity }
        return try await directory.run(arguments + options, stdin: stdin)
    }

    /// The repository path of a live Experiment's file, from the remote's tip.
    func experimentPath(_ name: String, namespace: String = "default") async throws -> String {
        let listing = try await runGitChecked(
            ["--git-dir", remote, "ls-tree", "-r", "--name-only", "main", "resources/\(namespace)/Experiment/"])
        return try #require(
            listing.stdout.split(separator: "\n").map(String.init).first { $0.hasSuffix("/\(name).yaml") }
        )
    }
}
