import Foundation
import GitServerFixtures
import Giter
import Testing

/// Over a server the store writes on the view it has and lets the push's
/// compare-and-swap refuse a view that is behind (issue 13, "Over the
/// network"): no answer may come from a stale view, and the refusal is not
/// a retry.
@Suite("Writes over a network remote start from the view they have", .serialized)
struct NetworkWriteTests {
    /// B's view still holds the spec A replaced: applying that spec again
    /// is "unchanged" only on B's stale view; on the remote's it is a change.
    @Test(arguments: Backend.allCases)
    func nothingToWriteOnAStaleViewIsCheckedOnTheRemotes(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let a = try await lab.store(producerIdentity(0), mirror: "a")
            let b = try await lab.store(producerIdentity(0), mirror: "b")
            let first = try await a.write([.apply(job("x", payload: "one", round: 1))])
            #expect(first.outcomes == [.created(generation: 1)])
            try await b.refresh()
            let second = try await a.write([.apply(job("x", payload: "two", round: 1))])
            #expect(second.outcomes == [.configured(generation: 2)])

            let again = try await b.write([.apply(job("x", payload: "one", round: 1))])
            #expect(again.outcomes == [.configured(generation: 3)])
            #expect(again.attempts == 1)
            try await a.refresh()
            #expect(try await a.get(job("x", payload: "", round: 1).key)?.resource.spec.payload == "one")
        }
    }

    /// B's view is behind when it writes another resource: the push is
    /// refused, B refreshes and pushes again; nothing A wrote is lost, and
    /// the write took one counted attempt.
    @Test(arguments: Backend.allCases)
    func aStaleViewIsRefusedByThePushAndPlannedAgain(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let a = try await lab.store(producerIdentity(0), mirror: "a")
            let b = try await lab.store(producerIdentity(0), mirror: "b")
            _ = try await a.write([.apply(job("x", payload: "one", round: 1))])
            try await b.refresh()
            let behind = await b.revision()
            _ = try await a.write([.apply(job("y", payload: "one", round: 1))])

            let written = try await b.write([.apply(job("z", payload: "one", round: 1))])
            #expect(written.outcomes == [.created(generation: 1)])
            #expect(written.attempts == 1)
            #expect(written.revision != behind)
            try await a.refresh()
            let names = try await a.list(.all).map(\.resource.metadata.name).sorted()
            #expect(names == ["x", "y", "z"])
        }
    }
}
