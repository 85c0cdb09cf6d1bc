import Giter
import GiterTesting
import Testing

/// Fencing tokens: readers refuse a status written under an older lease
/// generation than one already in the history; the guard refuses one that
/// is not the lease's current generation, and judges lease refs by their
/// own rule.
@Suite("Fencing")
struct FencingTests {
    let key = ResourceKey.experiment("exp-1")
    let branch = "refs/heads/main"
    let lease = try! RemoteReferenceName.lease("consumer")

    func token(_ generation: UInt64) -> Trailer { FencingToken(lease: "consumer", generation: generation).trailer }

    /// Points the server's lease ref at a record of `generation` by `author`.
    @discardableResult
    func setLease(_ history: History, generation: UInt64, holder: String = "replica-a", author: Signature = Who.runner)
        async throws -> ObjectID
    {
        let commit = try await history.reader.createCommit(
            LeaseRecord(holder: holder, generation: generation, duration: .seconds(15))
                .commitRequest(lease: "consumer", author: author))
        // The guard reads the server's own refs: here, the reader's.
        let current = try await history.reader.resolve(lease.rawValue)
        #expect(try await history.reader.updateReference(lease.rawValue, to: commit, expecting: current))
        return commit
    }

    @Test func readersRefuseAStatusWrittenUnderALowerGenerationThanTheHistoryHolds() async throws {
        var history = try await History()
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        #expect(try await history.walk().isEmpty)
        let first = try await history.check(
            Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))], trailers: [token(2)])
        #expect(first.violations.isEmpty)
        #expect(history.ledger.state.fences == ["consumer": 2])
        // The same generation again, and a higher one, pass.
        #expect(
            try await history.check(
                Who.runner, [.write(key, Files.resource("exp-1", status: "Succeeded"))], trailers: [token(2)]
            ).violations.isEmpty)
        // A zombie of generation 1 writes after generation 2 did: refused, its status not in force.
        let zombie = try await history.check(
            Who.runner, [.write(key, Files.resource("exp-1", status: "Failed"))], trailers: [token(1)])
        #expect(zombie.violations.seen == [Seen(.fencing, nil, zombie.commit)])
        #expect(try await history.inForce(key)?.contains("Succeeded") == true)
        #expect(history.ledger.state.fences == ["consumer": 2], "a refused commit raises nothing")
        // A malformed token fences nothing, so it is refused.
        let malformed = try await history.check(
            Who.runner, [.write(key, Files.resource("exp-1", status: "Failed"))],
            trailers: [Trailer(CommitTrailers.lease, "consumer generation=two")])
        #expect(malformed.violations.seen == [Seen(.fencing, nil, malformed.commit)])
        // Commits without a token are not judged by it.
        #expect(
            try await history.check(
                Who.runner, [.write(key, Files.resource("exp-1", status: "Failed"))]
            ).violations.isEmpty)
    }

    @Test func theGuardRefusesATokenThatIsNotTheLeasesCurrentGeneration() async throws {
        var history = try await History()
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        let old = history.tip
        #expect(try await history.reader.updateReference(branch, to: old, expecting: nil))
        let guardian = PushGuard(reader: history.reader, branch: "main", pusher: "ci-runner")
        let stale = try await history.commit(
            Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))], trailers: [token(1)])

        // No lease on the server: a token names nothing current.
        #expect(try await guardian.check([RefUpdate(old: old, new: stale, name: branch)]).seen == [Seen(.fencing, nil, stale)])
        try await setLease(history, generation: 2)
        #expect(try await guardian.check([RefUpdate(old: old, new: stale, name: branch)]).seen == [Seen(.fencing, nil, stale)])
        try await setLease(history, generation: 1)
        #expect(try await guardian.check([RefUpdate(old: old, new: stale, name: branch)]).isEmpty)
    }

    @Test func theLeaseRefPassesTheGuardByItsOwnRule() async throws {
        let history = try await History()
        #expect(try await history.reader.updateReference(branch, to: history.tip, expecting: nil))
        let guardian = PushGuard(reader: history.reader, branch: "main", pusher: "ci-runner")
        func record(_ generation: UInt64, _ holder: String, by author: Signature = Who.runner) async throws -> ObjectID {
            try await history.reader.createCommit(
                LeaseRecord(holder: holder, generation: generation, duration: .seconds(15))
                    .commitRequest(lease: "consumer", author: author))
        }
        let name = lease.rawValue
        let first = try await record(1, "a")
        // Created by the consumer party, pushed by its pusher: allowed, without spec.refs.
        #expect(try await guardian.check([RefUpdate(old: nil, new: first, name: name)]).isEmpty)
        // Renewed by the holder; taken over at generation + 1.
        #expect(try await guardian.check([RefUpdate(old: first, new: try await record(1, "a"), name: name)]).isEmpty)
        #expect(try await guardian.check([RefUpdate(old: first, new: try await record(2, "b"), name: name)]).isEmpty)
        // Another holder at the same generation, or a jump: refused.
        for bad in [try await record(1, "b"), try await record(3, "b")] {
            let seen = try await guardian.check([RefUpdate(old: first, new: bad, name: name)]).seen
            #expect(seen == [Seen(.fencing, nil, bad)])
        }
        // By a producer, by a stranger, or pushed by a user the policy does not name: refused.
        for author in [Who.alice, Who.mallory] {
            let forged = try await record(2, "b", by: author)
            #expect(try await guardian.check([RefUpdate(old: first, new: forged, name: name)]).seen == [Seen(.fencing, nil, forged)])
        }
        let elsewhere = PushGuard(reader: history.reader, branch: "main", pusher: "someone")
        let renewal = try await record(1, "a")
        #expect(try await elsewhere.check([RefUpdate(old: first, new: renewal, name: name)]).seen == [Seen(.fencing, nil, renewal)])
        // Not a lease record; a deletion.
        let notALease = try await history.reader.createCommit(
            CommitRequest(parent: nil, edits: [], author: Who.runner, message: "hello"))
        #expect(try await guardian.check([RefUpdate(old: first, new: notALease, name: name)]).seen == [Seen(.fencing, nil, notALease)])
        #expect(try await guardian.check([RefUpdate(old: first, new: nil, name: name)]).seen == [Seen(.fencing, nil, first)])
        // Other refs under refs/giter/ still need spec.refs.
        #expect(
            try await guardian.check([RefUpdate(old: nil, new: first, name: "refs/giter/leases/a/b")]).seen == [Seen(.ref, nil, first)])
    }

    @Test func tokensReadBackAndMalformedOnesAreNone() {
        #expect(FencingToken(trailerValue: "consumer generation=12") == FencingToken(lease: "consumer", generation: 12))
        for bad in ["consumer", "consumer generation=0", "consumer generation=-1", "a/b generation=1", "consumer  generation=1",
                    "consumer generation=１", "consumer generation=99999999999999999999999"] {
            #expect(FencingToken(trailerValue: bad) == nil, "\(bad)")
        }
    }
}
