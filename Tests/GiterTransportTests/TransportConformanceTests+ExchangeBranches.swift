import Foundation
import GitServerFixtures
import Giter
import Testing

/// Exchange branches (``ExchangeBranches``) rest on two transport calls:
/// one listing of the remote's refs under prefixes, and a delete with a
/// lease. Both on every backend over every kind of remote, and in memory.
extension TransportConformanceTests {
    @Test(arguments: TransportSubject.all)
    func exchangeBranchesAreListedAndDeletedWithALease(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let transport = try await context.open(mirror: "lister")
            let tip = try #require(try await transport.fetch())
            let groups = try ["a", "b.c", "d-1"].map { try ExchangeGroup($0) }
            let prefixes = [ExchangeGroup.referencePrefix, ExchangeGroup.archivePrefix]
            #expect(try await transport.listReferences(under: prefixes).isEmpty)
            for group in groups {
                #expect(try await transport.pushReference(group.reference, to: tip, expecting: nil) == .pushed(tip))
            }
            let archive = groups[0].archiveReference
            #expect(try await transport.pushReference(archive, to: tip, expecting: nil) == .pushed(tip))

            var expected = Dictionary(uniqueKeysWithValues: groups.map { ($0.reference.rawValue, tip) })
            expected[archive.rawValue] = tip
            #expect(try await transport.listReferences(under: prefixes) == expected)
            #expect(try await transport.listReferences(under: [ExchangeGroup.archivePrefix]) == [archive.rawValue: tip])
            // The main branch is no exchange branch, though both are under refs/heads/.
            #expect(try await transport.listReferences(under: ["refs/heads/"])["refs/heads/main"] == tip)

            // A delete against a stale value loses and changes nothing; then it wins.
            let moved = try await transport.createCommit(
                CommitRequest(parent: tip, edits: [.write(path: "README.md", contents: Array("moved\n".utf8))],
                              author: testAuthor, message: "Move b.c"))
            #expect(try await transport.pushReference(groups[1].reference, to: moved, expecting: tip) == .pushed(moved))
            guard case .conflict = try await transport.deleteReference(groups[1].reference, expecting: tip) else {
                Issue.record("a delete with a stale lease was not a conflict")
                return
            }
            #expect(try await context.remoteReference(groups[1].reference) == moved)
            #expect(try await transport.deleteReference(groups[1].reference, expecting: moved) == .pushed(moved))
            #expect(try await context.remoteReference(groups[1].reference) == nil)
            #expect(try await transport.resolve(groups[1].reference.rawValue) == nil, "the mirror's copy goes too")
            #expect(Set(try await transport.listReferences(under: prefixes).keys) == Set(expected.keys).subtracting([groups[1].reference.rawValue]))
            #expect(try await context.branchTip() == tip, "the main branch never moved")

            await #expect(throws: TransportError.self) { try await transport.listReferences(under: ["heads/"]) }
            try await context.expectSound()
        }
    }
}
