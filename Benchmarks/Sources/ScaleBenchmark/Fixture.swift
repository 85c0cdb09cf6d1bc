import Foundation
import Giter

/// The exchange the scale benchmark reads: a policy with a producer and a
/// consumer party, one CustomResourceDefinition, and resources of one kind,
/// written with `git fast-import` (one process, no pushes).
enum Fixture {
    static let namespace = "bench"
    static let kind = "Widget"
    static let apiVersion = "bench.giter.example/v1"
    static let producer = ExchangeIdentity(name: "Bench producer", email: "producer@bench.example", role: .producer)
    static let consumer = ExchangeIdentity(name: "Bench consumer", email: "consumer@bench.example", role: .consumer)
    static let roles = RoleAssignments(producers: [producer.email], consumers: [consumer.email])

    static let policy = """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata:
          name: scale
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: ["\(namespace)"]
            members:
            - email: \(producer.email)
          - name: runner
            role: consumer
            namespaces: ["\(namespace)"]
            members:
            - email: \(consumer.email)
          unknownKinds: reject

        """

    static let definition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.bench.giter.example
        spec:
          group: bench.giter.example
          names:
            kind: Widget
            plural: widgets
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
                    required: [image, replicas, revision]
                    properties:
                      image: {type: string, maxLength: 253}
                      replicas: {type: integer, minimum: 0}
                      revision: {type: integer, minimum: 0}
                  status:
                    type: object
                    properties:
                      observedGeneration: {type: integer, minimum: 0}
                      observedSpecDigest: {type: string}
                      revision: {type: integer}
                      conditions: {type: array, items: {type: object, x-kubernetes-preserve-unknown-fields: true}}

        """

    static func name(_ index: Int) -> String {
        let digits = String(index)
        return "w-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    static func key(_ index: Int) -> ResourceKey {
        ResourceKey(namespace: namespace, kind: kind, name: name(index))
    }

    /// A resource file as a producer writes it, at `generation`, followed by `status` verbatim.
    static func file(_ index: Int, generation: Int, status: String = "") -> String {
        """
        apiVersion: \(apiVersion)
        kind: \(kind)
        metadata:
          name: \(name(index))
          namespace: \(namespace)
          generation: \(generation)
        spec:
          image: registry.example.com/widget:1.\(generation)
          replicas: 3
          revision: \(generation)

        """ + status
    }

    /// The status section a consumer writes for `generation` (its digest is not checked by the contract).
    static func status(generation: Int) -> String {
        """
        status:
          observedGeneration: \(generation)
          revision: \(generation)
          conditions:
          - type: Ready
            status: "True"
            observedGeneration: \(generation)
            lastTransitionTime: "2026-12-02T00:00:00Z"
            reason: Reconciled
            message: ok

        """
    }
}

/// A `git fast-import` stream, written to a file in pieces.
final class FastImportStream {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var time = 1_800_000_000

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path)
        else { throw ScaleError("cannot create \(path)") }
        self.handle = handle
    }

    private func append(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 20 { try flush() }
    }

    private func data(_ text: String) throws {
        try append("data \(text.utf8.count)\n")
        try append(text)
        try append("\n")
    }

    /// One commit on `main` by `identity`, with `files` (path → text) added or replaced.
    func commit(_ identity: ExchangeIdentity, message: String, files: [(path: String, text: String)]) throws {
        time += 1
        try append("commit refs/heads/main\n")
        try append("author \(identity.name) <\(identity.email)> \(time) +0000\n")
        try append("committer \(identity.name) <\(identity.email)> \(time) +0000\n")
        // Each commit continues the branch where the stream's last commit left it.
        try data(message)
        for file in files {
            try append("M 100644 inline \(file.path)\n")
            try data(file.text)
        }
        try append("\n")
    }

    func flush() throws {
        try handle.write(contentsOf: Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}

enum Trailers {
    static func apply(_ keys: [ResourceKey], generation: Int) -> String {
        var message = keys.count == 1 ? "giter: apply \(keys[0])\n\n" : "giter: apply \(keys.count) resources\n\n"
        message += "\(CommitTrailers.role): producer\n"
        for key in keys { message += "\(CommitTrailers.apply): \(key) generation=\(generation)\n" }
        return message
    }

    static func status(_ key: ResourceKey, generation: Int) -> String {
        "giter: status \(key)\n\n\(CommitTrailers.role): consumer\n\(CommitTrailers.status): \(key) observedGeneration=\(generation)\n"
    }
}

extension Fixture {
    static let admin = ExchangeIdentity(name: "Bench admin", email: "admin@bench.example", role: .producer)

    /// Writes the root commit: the contract, trusted as the history's anchor.
    static func writeContract(_ stream: FastImportStream) throws {
        try stream.commit(
            admin, message: "giter: the exchange's contract\n",
            files: [(ExchangePolicy.path, policy), (".giter/crds/widgets.yaml", definition)])
    }

    /// A bare repository at `path` with the contract and `count` resources,
    /// created by the producer `perCommit` to a commit.
    static func makeExchange(at path: String, resources count: Int, perCommit: Int, work: String) throws {
        let streamPath = work + "/exchange.fi"
        let stream = try FastImportStream(path: streamPath)
        try writeContract(stream)
        for first in stride(from: 0, to: count, by: perCommit) {
            let indices = first..<min(first + perCommit, count)
            try stream.commit(
                producer, message: Trailers.apply(indices.map(key), generation: 1),
                files: indices.map { (key($0).repositoryPath, file($0, generation: 1)) })
        }
        try stream.close()
        try importStream(streamPath, into: path)
    }

    /// A bare repository at `path` with the contract, `resources` resources
    /// in one commit, then `commits` commits, alternately a producer's new
    /// spec of one resource and the consumer's status for it: each one
    /// allowed by the contract.
    static func makeHistory(at path: String, resources: Int, commits: Int, work: String) throws {
        let streamPath = work + "/history.fi"
        let stream = try FastImportStream(path: streamPath)
        try writeContract(stream)
        try stream.commit(
            producer, message: Trailers.apply((0..<resources).map(key), generation: 1),
            files: (0..<resources).map { (key($0).repositoryPath, file($0, generation: 1)) })
        var generations = [Int](repeating: 1, count: resources)
        var observed = [Int](repeating: 0, count: resources)
        for number in 0..<commits {
            let index = (number / 2) % resources
            let key = key(index)
            let statusText = observed[index] == 0 ? "" : status(generation: observed[index])
            if number % 2 == 0 {
                generations[index] += 1
                try stream.commit(
                    producer, message: Trailers.apply([key], generation: generations[index]),
                    files: [(key.repositoryPath, file(index, generation: generations[index], status: statusText))])
            } else {
                observed[index] = generations[index]
                try stream.commit(
                    consumer, message: Trailers.status(key, generation: observed[index]),
                    files: [(key.repositoryPath, file(index, generation: generations[index], status: status(generation: observed[index])))])
            }
        }
        try stream.close()
        try importStream(streamPath, into: path)
    }

    private static func importStream(_ streamPath: String, into path: String) throws {
        try Shell.run(["git", "init", "-q", "--bare", "-b", "main", path])
        try Shell.run(["git", "-C", path, "fast-import", "--quiet"], input: streamPath)
        try FileManager.default.removeItem(atPath: streamPath)
    }
}

/// Runs setup commands (not measured).
enum Shell {
    static func run(_ arguments: [String], input: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["LC_ALL"] = "C"
        process.environment = environment
        if let input { process.standardInput = FileHandle(forReadingAtPath: input) }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScaleError("\(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }
}

struct ScaleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
