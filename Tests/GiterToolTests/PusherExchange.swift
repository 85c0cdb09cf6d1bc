import Foundation
import GitServerFixtures
import Giter

/// An exchange with a real contract, for pushes through servers that name
/// the pusher: the lab's producer `alice@lab.example`, whose commits only the
/// server user `alice` may push; the testbed's consumer; an admin.
enum PusherExchange {
    struct Author {
        var name: String
        var email: String
    }

    static let owner = Author(name: "Owner", email: "owner@lab.example")
    static let alice = Author(name: "Alice", email: "alice@lab.example")
    static let runner = Author(name: "Runner", email: "runner@testbed.example")

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
              pushers: ["alice"]
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

        """

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
                    properties:
                      image: {type: string}
                  status:
                    type: object
                    properties:
                      phase: {type: string}

        """

    /// The policy and the definition: the first commit, by the owner.
    static let contract = [".giter/policy.yaml": policy, ".giter/crds/experiment.yaml": definition]

    /// The file of the experiment `name` in namespace `lab`.
    static func path(_ name: String) -> String {
        ResourceKey(namespace: "lab", kind: "Experiment", name: name).repositoryPath
    }

    /// An experiment as its producer writes it, with `status` when given.
    static func experiment(_ name: String, image: String, phase: String? = nil) -> String {
        var text = """
            apiVersion: lab.example/v1
            kind: Experiment
            metadata:
              name: \(name)
              namespace: lab
            spec:
              image: \(image)

            """
        if let phase { text += "status:\n  phase: \(phase)\n" }
        return text
    }

    /// Writes `files` in `clone` and commits them as `author`; returns the commit.
    static func commit(
        _ files: [String: String], in clone: URL, as author: Author, environment: GitEnvironment
    ) async throws -> String {
        for (path, text) in files {
            let file = clone.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        let environment = environment.setting("GIT_AUTHOR_NAME", author.name).setting("GIT_AUTHOR_EMAIL", author.email)
        try await runGitChecked(["add", "--"] + files.keys.sorted(), in: clone, environment: environment)
        try await runGitChecked(["commit", "--quiet", "-m", "Change by \(author.name)"], in: clone, environment: environment)
        return try await runGitChecked(["rev-parse", "HEAD"], in: clone, environment: environment).trimmedStdout
    }

    /// The script of a pre-receive hook that runs the `giter` under test.
    static func hookScript(backend: ToolBackend) throws -> String {
        let executable = try GiterProcess.executable().path
        return """
            #!/bin/sh
            exec '\(executable)' guard pre-receive --backend \(backend.rawValue)

            """
    }
}
