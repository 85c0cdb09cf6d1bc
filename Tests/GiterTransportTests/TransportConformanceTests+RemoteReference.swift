import Foundation
import GitServerFixtures
import Giter
import Testing

/// Refs beside the branch (leases): read and compare-and-swap on every
/// backend over every kind of remote, and in memory.
extension TransportConformanceTests {
    @Test(arguments: TransportSubject.all)
    func leaseReferenceCompareAndSwap(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let name = try RemoteReferenceName.lease("consumer")
            #expect(name.rawValue == "refs/giter/leases/consumer" && name.leaseName == "consumer")
            let first = try await context.open(mirror: "first")
            let second = try await context.openReader(mirror: "second")
            let branch = try await context.branchTip()
            #expect(try await first.fetchReference(name) == nil)

            let record = LeaseRecord(holder: "first replica", generation: 1, duration: .seconds(15))
            let taken = try await first.createCommit(record.commitRequest(lease: "consumer", author: testAuthor))
            #expect(try await first.pushReference(name, to: taken, expecting: nil) == .pushed(taken))
            #expect(try await context.remoteReference(name) == taken)
            #expect(try await first.resolve(name.rawValue) == taken)
            // Creating it again loses: the ref exists now.
            let again = try await first.createCommit(
                LeaseRecord(holder: "first replica", generation: 1, duration: .seconds(15), renewal: 1)
                    .commitRequest(lease: "consumer", author: testAuthor))
            guard case .conflict = try await first.pushReference(name, to: again, expecting: nil) else {
                Issue.record("a second create of the lease ref was not a conflict")
                return
            }

            // The other replica (the other backend) reads it and takes it over.
            #expect(try await second.fetchReference(name) == taken)
            let info = try #require(try await second.commits(from: taken, excluding: nil, limit: 1).first)
            let read = try LeaseRecord(commit: info, reference: name)
            #expect(read.holder == "first replica" && read.generation == 1 && read.duration == .seconds(15))
            let takeover = try await second.createCommit(
                LeaseRecord(holder: "second replica", generation: 2, duration: .seconds(15))
                    .commitRequest(lease: "consumer", author: testAuthor))
            #expect(try await second.pushReference(name, to: takeover, expecting: taken) == .pushed(takeover))

            // The first renews against what it last read: it lost the race.
            guard case .conflict = try await first.pushReference(name, to: again, expecting: taken) else {
                Issue.record("a stale renewal of the lease ref was not a conflict")
                return
            }
            #expect(try await context.remoteReference(name) == takeover)
            #expect(try await first.fetchReference(name) == takeover)
            // The exchange branch never moved.
            #expect(try await context.branchTip() == branch)

            // A deleted ref reads as none, and the mirror's copy goes too.
            try await context.deleteRemoteReference(name)
            #expect(try await first.fetchReference(name) == nil)
            #expect(try await first.resolve(name.rawValue) == nil)
            try await context.expectSound()
        }
    }

    @Test(arguments: TransportSubject.local)
    func leaseReferenceRefusedByTheServer(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let name = try RemoteReferenceName.lease("consumer")
            let transport = try await context.open(mirror: "replica")
            let lease = try await transport.createCommit(
                LeaseRecord(holder: "replica", generation: 1, duration: .seconds(5))
                    .commitRequest(lease: "consumer", author: testAuthor))
            try context.refuseNextPush(saying: "no leases here")
            let outcome = try await transport.pushReference(name, to: lease, expecting: nil)
            guard case .rejected(let message) = outcome else {
                Issue.record("a refused lease push gave \(outcome)")
                return
            }
            #expect(message.contains("no leases here") || subject.isInMemory)
            #expect(try await context.remoteReference(name) == nil)
        }
    }

    @Test func leaseNamesAreOneComponent() throws {
        #expect(throws: TransportError.self) { try RemoteReferenceName.lease("a/b") }
        #expect(throws: TransportError.self) { try RemoteReferenceName.lease("") }
        #expect(throws: TransportError.self) { try RemoteReferenceName.lease("x.lock") }
        #expect(try RemoteReferenceName(underGiter: "checkpoints/x").leaseName == nil)
    }
}

extension TransportSubject {
    var isInMemory: Bool {
        if case .inMemory = self { return true }
        return false
    }
}
