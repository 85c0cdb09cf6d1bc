import Foundation
import Giter
import GiterCodec
import GiterTesting
import Testing

/// A CustomResourceDefinition in `.giter/crds/`, through the store: specs
/// are defaulted and checked before they are committed, statuses are
/// checked before they are pushed, and the controller says why it could not
/// publish one.
@Suite("A definition in force, through the store and the controller")
struct DefinitionStoreTests {
    let exchange = Exchange()
    let owner = Signature(name: "Owner", email: "owner@example.com")

    static let definition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: reports.reports.example.com
        spec:
          group: reports.example.com
          names:
            kind: Report
            plural: reports
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
                    required: [schedule, retries, outputs]
                    properties:
                      schedule: {type: string}
                      retries: {type: integer, minimum: 0, maximum: 10}
                      outputs:
                        type: array
                        items:
                          type: object
                          properties:
                            bucket: {type: string}
                            format: {type: string, enum: [csv, json, pdf]}
                      dryRun: {type: boolean, default: false}
                  status:
                    type: object
                    properties:
                      url: {type: string, maxLength: 40}

        """

    /// The exchange's first commit: an open policy for both roles, and the definition.
    func start() throws {
        let policy = PolicyStoreTests.policy().replacingOccurrences(of: "unknownKinds: allow", with: "unknownKinds: reject")
        try exchange.remote.forgeCommit(
            author: owner,
            edits: [
                .write(path: ExchangePolicy.path, contents: Array(policy.utf8)),
                .write(path: ".giter/crds/report.yaml", contents: Array(Self.definition.utf8)),
            ],
            message: "init")
    }

    @Test func aSpecIsDefaultedBeforeItIsWritten() async throws {
        try start()
        #expect(try await exchange.producer.apply(report("a")) == .created(generation: 1))
        let text = try #require(try await exchange.file(report("a").key.repositoryPath))
        #expect(text.contains("dryRun: false"), "\(text)")
        #expect(try await exchange.producer.get(report("a").key)?.resource.spec.dryRun == false)
    }

    @Test func anInvalidSpecIsRefusedBeforeAnyCommitWithTheAPIServersWords() async throws {
        try start()
        let tip = exchange.remote.tip()
        var bad = report("a")
        bad.spec.retries = 50
        let outcome = try await exchange.producer.apply(bad)
        guard case .refused(let reason) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(reason.contains("spec.retries: Invalid value: 50: must be less than or equal to 10"), "\(reason)")
        #expect(exchange.remote.tip() == tip)
    }

    @Test func aForgedInvalidSpecIsNeverInForce() async throws {
        try start()
        try await exchange.producer.apply(report("a"))
        let text = try #require(try await exchange.file(report("a").key.repositoryPath))
        let forged = text.replacingOccurrences(of: "format: pdf", with: "format: xml")
        #expect(forged != text)
        try exchange.remote.forgeCommit(
            author: Signature(name: "p", email: producerIdentity.email),
            edits: [.write(path: report("a").key.repositoryPath, contents: Array(forged.utf8))])
        try await exchange.consumerStore.refresh()
        let violation = try #require(exchange.events.violations.first)
        #expect(violation.rule == .schema)
        #expect(violation.message.hasPrefix("spec.outputs[0].format: Unsupported value: \"xml\""), "\(violation)")
        #expect(violation.location != nil)
        #expect(try await exchange.consumerStore.get(report("a").key)?.resource.spec.outputs.first?.format == "pdf")
    }

    @Test func aStatusTheDefinitionRefusesIsReplacedByOneSayingWhy() async throws {
        try start()
        let key = report("a").key
        try await exchange.producer.apply(report("a"))
        let reconciler = ScriptedReconciler { _, _ in .done(readyStatus(String(repeating: "x", count: 60))) }
        let error = try await withController(exchange, reconciler) { _ in
            await #expect(throws: ProducerError.self) { try await exchange.producer.wait(for: key, timeout: .seconds(120)) }
        }
        #expect(error?.code == .failed)
        #expect(error?.message.contains("StatusRefused") == true, "\(String(describing: error))")
        #expect(error?.message.contains("status.url: Too long") == true, "\(String(describing: error))")
        let stored = try #require(try await exchange.producer.get(key))
        #expect(stored.resource.status?.url == nil, "the refused status was never written")
        #expect(exchange.events.violations.isEmpty, "nothing refused reached the branch")
    }
}
