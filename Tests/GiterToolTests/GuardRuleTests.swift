import Foundation
import GitServerFixtures
import Giter
import Testing

/// Every rule of the contract, enforced by `giter guard pre-receive` on
/// plain `git push`es into a repository on this machine (receive-pack runs
/// the hook as a server does), on both backends of the guard: each bad
/// push is refused, naming commit, path and rule on the client's side, and
/// no ref moves. See ``GuardRuleServerTests`` for the servers.
@Suite("The guard refuses what the contract forbids", .timeLimit(.minutes(3)))
struct GuardRuleTests {
    typealias Seen = Rejection.Seen
    static let exp1 = GuardedExchange.exp1.repositoryPath

    @Test(arguments: ToolBackend.allCases)
    func aConsumerForgingTheSpec(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", image: "evil/miner:1"))
            let forged = try await clone.commit(as: .runner, "Forge the spec")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.role, Self.exp1, forged)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aProducerForgingTheStatus(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", status: "Done"))
            let forged = try await clone.commit(as: .alice, "Forge the status")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.role, Self.exp1, forged)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aConsumerDeleting(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try await clone.git(["rm", "--quiet", Self.exp1])
            let deletion = try await clone.commit(as: .runner, "Delete exp-1")
            let push = try await clone.push("HEAD:refs/heads/main")
            try await exchange.expectRefused(push, [Seen(.role, Self.exp1, deletion)], refsBefore: before)
            #expect(push.stderr.contains("a consumer never deletes a resource"), "\(push.stderr)")
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aConsumerArchiving(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let archived = GuardedExchange.exp1.archivePath
            try FileManager.default.createDirectory(
                at: clone.folder.appendingPathComponent(archived).deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try await clone.git(["mv", Self.exp1, archived])
            let archive = try await clone.commit(as: .runner, "Archive exp-1")
            let push = try await clone.push("HEAD:refs/heads/main")
            try await exchange.expectRefused(
                push,
                [Seen(.role, Self.exp1, archive), Seen(.role, archived, archive)],
                refsBefore: before
            )
            #expect(push.stderr.contains("a consumer never archives a resource"), "\(push.stderr)")
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aProducerOutsideItsNamespace(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let path = ResourceKey(namespace: "other", kind: "Experiment", name: "exp-9").repositoryPath
            try clone.write(path, GuardedExchange.experiment("exp-9", namespace: "other"))
            let outside = try await clone.commit(as: .alice, "Create other/exp-9")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.scope, path, outside)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aProducerOutsideItsKinds(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let path = ResourceKey(namespace: "lab", kind: "Probe", name: "probe-1").repositoryPath
            try clone.write(path, GuardedExchange.experiment("probe-1", kind: "Probe"))
            let outside = try await clone.commit(as: .alice, "Create a Probe")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.scope, path, outside)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aNonMember(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            let stranger = try await clone.commit(as: .mallory, "Create exp-2")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.notAMember, nil, stranger)],
                refsBefore: before
            )
        }
    }

    /// The consumer makes itself a producer, then writes a spec in the
    /// same push: the spec is judged by its parent's policy, the one in
    /// force, which the refused promotion did not change.
    @Test(arguments: ToolBackend.allCases)
    func aConsumerEditingThePolicy(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try clone.write(GuardedExchange.policyPath, GuardedExchange.policyPromotingRunner)
            let promotion = try await clone.commit(as: .runner, "Make the runner a producer")
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", image: "evil/miner:1"))
            let forged = try await clone.commit(as: .runner, "Change the spec as a producer")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.role, GuardedExchange.policyPath, promotion), Seen(.role, Self.exp1, forged)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aDefinitionChangedByANonAdmin(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let path = GuardedExchange.definitionPath
            try clone.write(
                path,
                GuardedExchange.definition.replacingOccurrences(of: "minimum: 0", with: "minimum: -10")
            )
            let change = try await clone.commit(as: .alice, "Allow negative replicas")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.role, path, change)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aSpecTheDefinitionRefuses(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let path = GuardedExchange.exp2.repositoryPath
            try clone.write(path, GuardedExchange.experiment("exp-2", replicas: -1))
            let invalid = try await clone.commit(as: .alice, "Create exp-2")
            let push = try await clone.push("HEAD:refs/heads/main")
            try await exchange.expectRefused(push, [Seen(.schema, path, invalid)], refsBefore: before)
            #expect(
                push.stderr.contains(
                    "remote: giter: rejected \(invalid) \(path):8:13: schema: "
                        + "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
                ),
                "\(push.stderr)"
            )
        }
    }

    /// The guard holds no key: it checks an `x-giter-encrypted` field by the
    /// envelope's shape, refusing plaintext and a malformed envelope and
    /// accepting a well-formed one.
    @Test(arguments: ToolBackend.allCases)
    func anEncryptedFieldInTheClearOrMalformed(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let indent = String(repeating: " ", count: 14)
            let definition = GuardedExchange.definition.replacingOccurrences(
                of: "\(indent)replicas:\n", with: "\(indent)token: {type: string, x-giter-encrypted: true}\n\(indent)replicas:\n")
            #expect(definition.contains("token: {type: string, x-giter-encrypted: true}"))
            let key = GuardedExchange.exp2
            let path = key.repositoryPath
            let sealed = try FieldSealing.seal(
                .string("s3cret"), resource: key, field: "spec.token",
                recipients: [try EncryptionPrivateKey.generate(id: "lab-1").publicKey])
            let before = try await exchange.refs()
            for (index, (token, message)) in [
                ("in-the-clear", "spec.token: Invalid value: must be an encrypted value"),
                ("giter-enc:v1:AQ==", "spec.token: Invalid value: the encrypted value is truncated (ephemeral key)"),
            ].enumerated() {
                let clone = try await exchange.clone("refused-\(index)")
                try clone.write(GuardedExchange.definitionPath, definition)
                try await clone.commit(as: .owner, "Mark the token encrypted")
                try clone.write(path, GuardedExchange.experiment("exp-2") + "  token: \(token)\n")
                let invalid = try await clone.commit(as: .alice, "Create exp-2")
                let push = try await clone.push("HEAD:refs/heads/main")
                try await exchange.expectRefused(push, [Seen(.schema, path, invalid)], refsBefore: before)
                #expect(push.stderr.contains(message), "\(push.stderr)")
                #expect(!push.stderr.contains("in-the-clear"), "the value is not repeated: it is meant to be secret")
            }
            let clone = try await exchange.clone("accepted")
            try clone.write(GuardedExchange.definitionPath, definition)
            try await clone.commit(as: .owner, "Mark the token encrypted")
            try clone.write(path, GuardedExchange.experiment("exp-2") + "  token: \(sealed)\n")
            let tip = try await clone.commit(as: .alice, "Create exp-2")
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: tip)
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aStatusTheDefinitionRefuses(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", status: "Exploded"))
            let invalid = try await clone.commit(as: .runner, "exp-1 exploded")
            let push = try await clone.push("HEAD:refs/heads/main")
            try await exchange.expectRefused(push, [Seen(.schema, Self.exp1, invalid)], refsBefore: before)
            #expect(push.stderr.contains("status.phase: Unsupported value"), "\(push.stderr)")
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aPathNoPartyWrites(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try clone.write("notes.txt", "not part of the exchange\n")
            let stray = try await clone.commit(as: .alice, "Add notes")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.path, "notes.txt", stray)],
                refsBefore: before
            )
        }
    }
}
