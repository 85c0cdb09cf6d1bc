import Foundation
import Giter
import GiterTesting
import Testing

/// A store follows one linear history from one anchor: a rewrite, a
/// deletion or another root is refused, and the state it had stays served.
@Suite("History rewrites, anchors and the rules' version")
struct HistoryTrustTests {
    let exchange = Exchange()
    let owner = Signature(name: "Owner", email: "owner@example.com")

    func store(_ transport: any Transport, trustRoot: ObjectID? = nil, roles: RoleAssignments = namedRoles) -> GitResourceStore<Report> {
        GitResourceStore(
            transport: transport, resourceType: reportType,
            options: StoreOptions(
                identity: consumerIdentity, roles: roles, trustRoot: trustRoot, eventHandler: { exchange.events.append($0) }))
    }

    var refusals: [String] {
        exchange.events.all.compactMap { if case .historyRefused(let reason) = $0 { reason } else { nil } }
    }

    @Test func aForcePushIsRefusedAndTheOldStateKept() async throws {
        try await exchange.producer.apply(report("a"))
        let first = try #require(exchange.remote.tip())
        try await exchange.producer.apply(report("b"))
        let reader = store(exchange.remote.transport())
        try await reader.refresh()
        #expect(try await reader.get(report("b").key) != nil)

        exchange.remote.resetBranch(to: first)
        try exchange.remote.forgeCommit(author: Signature(name: "x", email: producerIdentity.email), edits: [.delete(path: report("a").key.repositoryPath)])
        let error = try #require(await #expect(throws: StoreError.self) { try await reader.refresh() })
        #expect(error.code == .historyRefused)
        #expect(error.message.contains("rewritten"), "\(error)")
        #expect(try await reader.get(report("a").key) != nil, "the old state is still served")
        #expect(try await reader.get(report("b").key) != nil)
        #expect(refusals.count == 1)
    }

    @Test func aDeletedBranchIsRefused() async throws {
        try await exchange.producer.apply(report("a"))
        let reader = store(exchange.remote.transport())
        try await reader.refresh()
        exchange.remote.resetBranch(to: nil)
        let error = try #require(await #expect(throws: StoreError.self) { try await reader.refresh() })
        #expect(error.code == .historyRefused)
        #expect(try await reader.get(report("a").key) != nil)
    }

    @Test func aHistoryFromAnotherRootNeverVerifiesOnAMirrorThatCheckedOne() async throws {
        try await exchange.producer.apply(report("a"))
        let mirror = exchange.remote.transport()
        try await store(mirror).refresh()

        // The server's branch replaced by a history of its own, with its own first commit.
        let foreign = try exchange.remote.forgeCommit(
            author: owner, edits: [.write(path: "README.md", contents: Array("another exchange\n".utf8))], branch: "elsewhere")
        exchange.remote.resetBranch(to: foreign)
        let restarted = store(mirror)
        let error = try #require(await #expect(throws: StoreError.self) { try await restarted.refresh() })
        #expect(error.code == .historyRefused)
    }

    @Test func anExplicitTrustRootMustBeInTheHistory() async throws {
        try await exchange.producer.apply(report("a"))
        let unrelated = try exchange.remote.forgeCommit(
            author: owner, edits: [.write(path: "README.md", contents: Array("x\n".utf8))], branch: "elsewhere")
        let error = try #require(
            await #expect(throws: StoreError.self) { try await store(exchange.remote.transport(), trustRoot: unrelated).refresh() })
        #expect(error.message.contains("does not descend from the trusted commit"), "\(error)")
    }

    @Test func commitsBeforeAnExplicitTrustRootAreTrusted() async throws {
        try await exchange.producer.apply(report("a"))
        // A forged delete, then the commit the reader chooses to trust.
        try exchange.remote.forgeCommit(author: owner, edits: [.delete(path: report("a").key.repositoryPath)])
        let anchor = try #require(exchange.remote.tip())
        try await exchange.producer.apply(report("b"))
        let before = exchange.events.violations.count

        let trusting = store(exchange.remote.transport(), trustRoot: anchor)
        try await trusting.refresh()
        #expect(exchange.events.violations.count == before, "\(exchange.events.violations)")
        #expect(try await trusting.get(report("a").key) == nil, "the anchor's tree is trusted as it stands")

        let checking = store(exchange.remote.transport())
        try await checking.refresh()
        #expect(exchange.events.violations.count == before + 1)
        #expect(exchange.events.violations.last?.rule == .notAMember)
        #expect(try await checking.get(report("a").key) != nil, "the forged delete is not in force")
    }

    @Test func aMirrorCheckedUnderTheOldRulesIsCheckedAgain() async throws {
        try await exchange.producer.apply(report("a"))
        try exchange.remote.forgeCommit(author: owner, edits: [.delete(path: report("a").key.repositoryPath)])
        let tip = try #require(exchange.remote.tip())
        // A check point the per-section rules (version 1) wrote: it trusted everything up to the tip.
        let mirror = exchange.remote.transport()
        let old = "version: 1\ncontext: abc\ncommit: \(tip.hex)\nkept: []\n"
        try await mirror.storeLocalValue(Array(old.utf8), named: LocalValueName("checkpoints/Report/main"))

        let reader = store(mirror)
        try await reader.refresh()
        #expect(exchange.events.violations.map(\.rule) == [.notAMember], "checked again from the first commit")
        #expect(try await reader.get(report("a").key) != nil)
    }

    @Test func aCheckPointOfOtherRulesKeepsItsAnchor() async throws {
        try await exchange.producer.apply(report("a"))
        let mirror = exchange.remote.transport()
        try await store(mirror).refresh()
        let saved = try #require(try await mirror.localValue(named: LocalValueName("checkpoints/Report/main")))
        let text = String(decoding: saved, as: UTF8.self)
        let root = try #require(exchange.remote.tip()).hex
        #expect(text.contains("anchor: ") && text.contains(root), "\(text)")

        // Other roles: the saved check proves nothing for them, but the anchor holds.
        let foreign = try exchange.remote.forgeCommit(
            author: owner, edits: [.write(path: "README.md", contents: Array("x\n".utf8))], branch: "elsewhere")
        exchange.remote.resetBranch(to: foreign)
        let other = RoleAssignments(producers: ["someone@example.com"], consumers: namedRoles.consumers)
        let error = try #require(await #expect(throws: StoreError.self) { try await store(mirror, roles: other).refresh() })
        #expect(error.message.contains("does not descend from the trusted commit"), "\(error)")
    }
}
