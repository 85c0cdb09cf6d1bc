import Giter
import Testing

/// Who may write what: each role, scope and path rule, judged by the ledger
/// commit by commit on the in-memory remote.
@Suite("The ledger: roles, scope and paths")
struct LedgerRoleTests {
    let key = ResourceKey.experiment("exp-1")

    /// A history where the lab created `exp-1` and the testbed reported it running.
    func running() async throws -> History {
        var history = try await History()
        #expect(try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        #expect(
            try await history.check(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))]).violations
                .isEmpty
        )
        return history
    }

    @Test func aProducerCreatesUpdatesArchivesAndDeletesItsResources() async throws {
        var history = try await running()
        // An update keeps the consumer's status as it was.
        let update = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", image: "lab/runner:2", status: "Running"))]
        )
        #expect(update.violations.isEmpty)
        #expect(try await history.inForce(key) == Files.resource("exp-1", image: "lab/runner:2", status: "Running"))
        // Archiving moves the file unchanged.
        let archived = Files.resource("exp-1", image: "lab/runner:2", status: "Running")
        let archive = try await history.check(
            Who.alice,
            [.delete(path: key.repositoryPath), .write(key.archivePath, archived)]
        )
        #expect(archive.violations.isEmpty)
        #expect(try await history.inForce(key) == nil)
        #expect(try await history.inForce(key.archivePath) == archived)
        // Deleting an archived resource, and a live one.
        #expect(try await history.check(Who.alice, [.delete(path: key.archivePath)]).violations.isEmpty)
        let other = ResourceKey.experiment("exp-2", namespace: "team-a")
        #expect(
            try await history.check(Who.alice, [.write(other, Files.resource("exp-2", namespace: "team-a"))]).violations
                .isEmpty
        )
        #expect(try await history.check(Who.alice, [.delete(path: other.repositoryPath)]).violations.isEmpty)
        #expect(try await history.inForce(other) == nil)
        #expect(history.ledger.state.pins.isEmpty)
    }

    @Test func aConsumerForgingTheSpecIsAViolationAndChangesNothingInForce() async throws {
        var history = try await running()
        let forged = try await history.check(
            Who.runner,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1", status: "Running"))]
        )
        #expect(forged.violations.seen == [Seen(.role, key.repositoryPath, forged.commit)])
        #expect(forged.violations.first?.message.contains("spec") == true)
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
        #expect(history.ledger.state.pins.count == 1)
    }

    @Test func aProducerForgingTheStatusIsAViolation() async throws {
        var history = try await History()
        #expect(try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        let added = try await history.check(Who.alice, [.write(key, Files.resource("exp-1", status: "Succeeded"))])
        #expect(added.violations.seen == [Seen(.role, key.repositoryPath, added.commit)])
        #expect(try await history.inForce(key) == Files.resource("exp-1"))
        // Creating a resource with a status is forging one too.
        let other = ResourceKey.experiment("exp-2")
        let created = try await history.check(Who.alice, [.write(other, Files.resource("exp-2", status: "Succeeded"))])
        #expect(created.violations.seen == [Seen(.role, other.repositoryPath, created.commit)])
        #expect(try await history.inForce(other) == nil)
    }

    @Test func aProducerChangingTheConsumersStatusIsAViolation() async throws {
        var history = try await running()
        let changed = try await history.check(Who.alice, [.write(key, Files.resource("exp-1", status: "Succeeded"))])
        #expect(changed.violations.seen == [Seen(.role, key.repositoryPath, changed.commit)])
        let dropped = try await history.check(Who.alice, [.write(key, Files.resource("exp-1", image: "lab/runner:2"))])
        #expect(dropped.violations.seen == [Seen(.role, key.repositoryPath, dropped.commit)])
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
    }

    @Test func aConsumerNeverDeletesArchivesOrCreates() async throws {
        var history = try await running()
        let deleted = try await history.check(Who.runner, [.delete(path: key.repositoryPath)])
        #expect(deleted.violations.seen == [Seen(.role, key.repositoryPath, deleted.commit)])
        #expect(deleted.violations.first?.message.contains("deletes") == true)
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))

        // A fresh history: over the deletion above the live file is already gone from the tree.
        history = try await running()
        let archived = try await history.check(
            Who.runner,
            [.delete(path: key.repositoryPath), .write(key.archivePath, Files.resource("exp-1", status: "Running"))]
        )
        #expect(
            archived.violations.seen == [
                Seen(.role, key.archivePath, archived.commit), Seen(.role, key.repositoryPath, archived.commit),
            ]
        )
        #expect(archived.violations.last?.message.contains("archives") == true)
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
        #expect(try await history.inForce(key.archivePath) == nil)

        let other = ResourceKey.experiment("exp-2")
        let created = try await history.check(Who.runner, [.write(other, Files.resource("exp-2"))])
        #expect(created.violations.seen == [Seen(.role, other.repositoryPath, created.commit)])
        #expect(try await history.inForce(other) == nil)
    }

    @Test func aProducerOutsideItsNamespacesOrKindsIsAViolation() async throws {
        var history = try await History()
        let ops = ResourceKey.experiment("exp-1", namespace: "ops")
        let namespace = try await history.check(Who.alice, [.write(ops, Files.resource("exp-1", namespace: "ops"))])
        #expect(namespace.violations.seen == [Seen(.scope, ops.repositoryPath, namespace.commit)])
        let job = ResourceKey(namespace: "lab", kind: "Job", name: "job-1")
        let kind = try await history.check(Who.alice, [.write(job, Files.resource("job-1", kind: "Job"))])
        #expect(kind.violations.seen == [Seen(.scope, job.repositoryPath, kind.commit)])
        #expect(try await history.inForce(ops) == nil)
        #expect(try await history.inForce(job) == nil)
    }

    @Test func aNonMemberIsAViolationOfTheWholeCommit() async throws {
        var history = try await running()
        let forged = try await history.check(
            Who.mallory,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1")), .write("README.md", "hello\n")]
        )
        #expect(forged.violations.seen == [Seen(.notAMember, nil, forged.commit)])
        #expect(forged.violations.first?.description.hasPrefix("\(forged.commit.hex) -: not-a-member: ") == true)
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
        #expect(try await history.inForce("README.md") == nil)
    }

    @Test func membersAreKnownByTheirAddressIgnoringCase() async throws {
        var history = try await History()
        let shouting = Signature(name: "Alice", email: "ALICE@Lab.Example")
        #expect(try await history.check(shouting, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        // The name is not the address: a look-alike address is nobody.
        let lookalike = Signature(name: "Alice", email: "alice@lab.example.evil")
        let forged = try await history.check(lookalike, [.write(key, Files.resource("exp-1", image: "evil/miner:1"))])
        #expect(forged.violations.seen == [Seen(.notAMember, nil, forged.commit)])
    }

    @Test func aMemberOfTwoPartiesMayDoWhatEitherAllows() async throws {
        var history = try await History()
        #expect(try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        // One commit: a status as the testbed's member, a resource of ops as ops' producer.
        let ops = ResourceKey.experiment("exp-9", namespace: "ops")
        let both = try await history.check(
            Who.dual,
            [
                .write(key, Files.resource("exp-1", status: "Running")),
                .write(ops, Files.resource("exp-9", namespace: "ops")),
            ]
        )
        #expect(both.violations.isEmpty)
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
        #expect(try await history.inForce(ops) == Files.resource("exp-9", namespace: "ops"))
        // Neither party writes the lab's spec: the first party's reason is reported.
        let spec = try await history.check(
            Who.dual,
            [.write(key, Files.resource("exp-1", image: "x/y:1", status: "Running"))]
        )
        #expect(spec.violations.seen == [Seen(.role, key.repositoryPath, spec.commit)])
    }

    @Test func anAdminWritesTheContractAndReadmeButNoResource() async throws {
        var history = try await running()
        let notes = try await history.check(
            Who.owner,
            [.write("README.md", "# Exchange\n"), .write(".giter/notes.txt", "x\n")]
        )
        #expect(notes.violations.isEmpty)
        let resource = try await history.check(
            Who.owner,
            [.write(key, Files.resource("exp-1", image: "x/y:1", status: "Running"))]
        )
        #expect(resource.violations.seen == [Seen(.role, key.repositoryPath, resource.commit)])
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
    }

    @Test func aNonAdminChangingTheContractIsAViolation() async throws {
        var history = try await running()
        let definition = try await history.check(Who.alice, [.write(".giter/crds/job.yaml", Files.probeDefinitionText)])
        #expect(definition.violations.seen == [Seen(.role, ".giter/crds/job.yaml", definition.commit)])
        let removed = try await history.check(Who.alice, [.delete(path: Files.experimentDefinition)])
        #expect(removed.violations.seen == [Seen(.role, Files.experimentDefinition, removed.commit)])
        let readme = try await history.check(Who.runner, [.write("README.md", "mine\n")])
        #expect(readme.violations.seen == [Seen(.role, "README.md", readme.commit)])
        #expect(try await history.inForce(Files.experimentDefinition) == Files.experimentDefinitionText)
        #expect(try await history.inForce(".giter/crds/job.yaml") == nil)
        // The definition still in force still governs: v0 is still not served.
        let old = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", apiVersion: "lab.example/v0", status: "Running"))]
        )
        #expect(old.violations.seen == [Seen(.schema, key.repositoryPath, old.commit)])
    }

    @Test(arguments: [Who.alice, Who.runner, Who.owner])
    func noPartyWritesOtherPaths(_ author: Signature) async throws {
        var history = try await running()
        let other = try await history.check(author, [.write("docs/notes.md", "x\n")])
        #expect(other.violations.seen == [Seen(.path, "docs/notes.md", other.commit)])
        #expect(try await history.inForce("docs/notes.md") == nil)
        // A file beside the resources' layout is no resource either.
        let stray = try await history.check(author, [.write("resources/lab/notes.txt", "x\n")])
        #expect(stray.violations.seen == [Seen(.path, "resources/lab/notes.txt", stray.commit)])
    }
}
