import Giter
import Testing

/// With no policy, roles come from ``RoleAssignments`` as before policies,
/// and paths outside the resources are not checked.
@Suite("The ledger: an open exchange (no policy)")
struct OpenExchangeTests {
    let key = ResourceKey.experiment("exp-1")
    let producer = [Trailer(CommitTrailers.role, "producer")]
    let consumer = [Trailer(CommitTrailers.role, "consumer")]

    static let template = """
        # Uncomment and name the parties to enforce roles:
        # apiVersion: giter.dev/v1alpha1
        # kind: ExchangePolicy

        """

    @Test(arguments: [["README.md": "# Exchange\n"], [ExchangePolicy.path: template]])
    func trailersDecideRolesWhenNoIdentityIsNamed(_ files: [String: String]) async throws {
        var history = try await History(files)
        #expect(
            try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))], trailers: producer).violations
                .isEmpty
        )
        #expect(
            try await history.check(
                Who.runner,
                [.write(key, Files.resource("exp-1", status: "Running"))],
                trailers: consumer
            ).violations.isEmpty
        )
        // The rules of each role still hold.
        let forged = try await history.check(
            Who.runner,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1", status: "Running"))],
            trailers: consumer
        )
        #expect(forged.violations.seen == [Seen(.role, key.repositoryPath, forged.commit)])
        let deleted = try await history.check(Who.runner, [.delete(path: key.repositoryPath)], trailers: consumer)
        #expect(deleted.violations.seen == [Seen(.role, key.repositoryPath, deleted.commit)])
        // No role stated: no resource may change.
        let unstated = try await history.check(
            Who.mallory,
            [.write(key, Files.resource("exp-1", image: "x/y:1", status: "Running"))]
        )
        #expect(unstated.violations.seen == [Seen(.notAMember, key.repositoryPath, unstated.commit)])
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
    }

    @Test func pathsOutsideTheResourcesAreNotChecked() async throws {
        var history = try await History(["README.md": "# Exchange\n"])
        let anyone = try await history.check(
            Who.mallory,
            [.write("docs/notes.md", "x\n"), .write("README.md", "mine\n")]
        )
        #expect(anyone.violations.isEmpty)
        let contract = try await history.check(Who.runner, [.write(".giter/notes.txt", "x\n")], trailers: consumer)
        #expect(contract.violations.isEmpty)
        #expect(try await history.inForce("docs/notes.md") == "x\n")
        // An archive still belongs to the producer.
        let archive = try await history.check(Who.mallory, [.write(key.archivePath, Files.resource("exp-1"))])
        #expect(archive.violations.seen == [Seen(.notAMember, key.archivePath, archive.commit)])
    }

    @Test func namedIdentitiesDecideRolesAndTrailersAreNotBelieved() async throws {
        let roles = RoleAssignments(producers: ["alice@lab.example"], consumers: ["runner@testbed.example"])
        var history = try await History(["README.md": "# Exchange\n"], roles: roles)
        #expect(try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        #expect(
            try await history.check(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))]).violations
                .isEmpty
        )
        let claimed = try await history.check(
            Who.mallory,
            [.write(key, Files.resource("exp-1", image: "x/y:1", status: "Running"))],
            trailers: producer
        )
        #expect(claimed.violations.seen == [Seen(.notAMember, key.repositoryPath, claimed.commit)])
        // The consumer claiming to be the producer stays a consumer.
        let consumerAsProducer = try await history.check(
            Who.runner,
            [.write(key, Files.resource("exp-1", image: "x/y:2", status: "Running"))],
            trailers: producer
        )
        #expect(consumerAsProducer.violations.seen == [Seen(.role, key.repositoryPath, consumerAsProducer.commit)])
    }

    @Test func definitionsAreEnforcedWithoutAPolicy() async throws {
        var history = try await History([Files.experimentDefinition: Files.experimentDefinitionText])
        let old = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", apiVersion: "lab.example/v0"))],
            trailers: producer
        )
        #expect(old.violations.seen == [Seen(.schema, key.repositoryPath, old.commit)])
        // Without a policy, a kind with no definition is allowed.
        let job = ResourceKey(namespace: "lab", kind: "Job", name: "job-1")
        #expect(
            try await history.check(Who.alice, [.write(job, Files.resource("job-1", kind: "Job"))], trailers: producer)
                .violations.isEmpty
        )
    }

    @Test func anAdminsFirstPolicyEndsTheOpenExchange() async throws {
        var history = try await History([ExchangePolicy.path: Self.template])
        let policy = Files.policyText
        let committed = try await history.check(Who.owner, [.write(ExchangePolicy.path, policy)])
        #expect(committed.violations.isEmpty)
        // From the next commit, trailers no longer make a producer.
        let claimed = try await history.check(Who.mallory, [.write(key, Files.resource("exp-1"))], trailers: producer)
        #expect(claimed.violations.seen == [Seen(.notAMember, nil, claimed.commit)])
    }
}
