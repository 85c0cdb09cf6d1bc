import Foundation
import Giter
import GiterCodec
import GiterTesting
import Testing

/// With `.giter/policy.yaml` in force, the policy decides roles for every
/// store: its own writes are checked before they are pushed, and every
/// commit it reads is judged by the policy in force at the commit's parent.
@Suite("A policy in force, through the store")
struct PolicyStoreTests {
    let exchange = Exchange()
    let owner = Signature(name: "Owner", email: "owner@example.com")

    static func policy(extraProducer: String? = nil) -> String {
        """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata:
          name: exchange
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: ["reports"]
            kinds: ["Report"]
            members:
            - email: producer@example.com
        \(extraProducer.map { "    - email: \($0)\n" } ?? "")\
          - name: runner
            role: consumer
            members:
            - email: consumer@example.com
          - name: owners
            role: admin
            members:
            - email: owner@example.com
          unknownKinds: allow

        """
    }

    /// The exchange's first commit: the owner's policy.
    func start() throws {
        try exchange.remote.forgeCommit(
            author: owner, edits: [.write(path: ExchangePolicy.path, contents: Array(Self.policy().utf8))], message: "init")
    }

    @Test func aProducerWriteOutsideItsNamespaceIsRefusedBeforeAnyCommit() async throws {
        try start()
        let tip = exchange.remote.tip()
        let outcome = try await exchange.producer.apply(report("a", namespace: "elsewhere"))
        guard case .refused(let reason) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(reason.contains("scope"), "\(reason)")
        #expect(exchange.remote.tip() == tip, "nothing was committed")

        #expect(try await exchange.producer.apply(report("a")) == .created(generation: 1))
        #expect(exchange.events.violations.isEmpty)
    }

    @Test func oneRefusedWriteLeavesTheRestOfTheBatch() async throws {
        try start()
        let outcomes = try await exchange.producer.apply([report("a"), report("b", namespace: "elsewhere"), report("c")])
        #expect(outcomes[0] == .created(generation: 1))
        #expect(outcomes[2] == .created(generation: 1))
        guard case .refused = outcomes[1] else {
            Issue.record("expected a refusal, got \(outcomes[1])")
            return
        }
        #expect(try await exchange.producer.get(report("c").key) != nil)
    }

    @Test func aConsumerPromotingItselfIsJudgedByTheParentsPolicy() async throws {
        try start()
        try await exchange.producer.apply(report("a"))
        let consumer = Signature(name: "Report consumer", email: consumerIdentity.email)
        try exchange.remote.forgeCommit(
            author: consumer,
            edits: [.write(path: ExchangePolicy.path, contents: Array(Self.policy(extraProducer: consumerIdentity.email).utf8))])
        let resource = try DocumentEncoder().encodeYAML(report("forged"))
        try exchange.remote.forgeCommit(
            author: consumer, edits: [.write(path: report("forged").key.repositoryPath, contents: Array(resource.utf8))])

        try await exchange.consumerStore.refresh()
        #expect(exchange.events.violations.map(\.rule) == [.role, .role], "\(exchange.events.violations)")
        #expect(try await exchange.consumerStore.get(report("forged").key) == nil)
    }

    @Test func anAdminAddingAMemberAllowsTheirNextCommit() async throws {
        try start()
        try exchange.remote.forgeCommit(
            author: owner,
            edits: [.write(path: ExchangePolicy.path, contents: Array(Self.policy(extraProducer: "second@example.com").utf8))])
        let resource = try DocumentEncoder().encodeYAML(report("b"))
        try exchange.remote.forgeCommit(
            author: Signature(name: "Second", email: "second@example.com"),
            edits: [.write(path: report("b").key.repositoryPath, contents: Array(resource.utf8))])
        try await exchange.consumerStore.refresh()
        #expect(exchange.events.violations.isEmpty, "\(exchange.events.violations)")
        #expect(try await exchange.consumerStore.get(report("b").key) != nil)
    }

    @Test func theForgedSpecBypassThroughAnUnreadableFileIsClosed() async throws {
        try start()
        try await exchange.producer.apply(report("a"))
        let key = report("a").key
        let consumer = Signature(name: "Report consumer", email: consumerIdentity.email)
        // `[]` first (not a resource), then a forged spec: both are violations.
        try exchange.remote.forgeCommit(author: consumer, edits: [.write(path: key.repositoryPath, contents: Array("[]\n".utf8))])
        let forged = try DocumentEncoder().encodeYAML(report("a", schedule: "* * * * *"))
        try exchange.remote.forgeCommit(author: consumer, edits: [.write(path: key.repositoryPath, contents: Array(forged.utf8))])

        for store in [exchange.consumerStore, exchange.producerStore] {
            try await store.refresh()
            #expect(try await store.get(key)?.resource.spec.schedule == "0 2 * * *")
        }
        let rules = exchange.events.violations.map(\.rule)
        #expect(rules.count == 4, "two commits, seen by two stores: \(rules)")
        #expect(Set(rules) == [.unreadable, .role])
    }
}
