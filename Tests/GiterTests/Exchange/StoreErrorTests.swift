import Foundation
import Giter
import GiterTesting
import Testing

/// A store error from a broken resource file names the file, line and
/// column, and keeps the codec's error as its cause.
@Suite("Store errors keep their cause and place")
struct StoreErrorTests {
    /// `text` as the file of `report("a")`, committed by the producer; the
    /// error the consumer's store throws when it reads it.
    private func readError(_ text: String) async throws -> StoreError? {
        let exchange = Exchange()
        let key = report("a").key
        try exchange.remote.forgeCommit(
            author: Signature(name: "Report producer", email: producerIdentity.email),
            edits: [.write(path: key.repositoryPath, contents: Array(text.utf8))])
        // A store that trusts the branch as it finds it reads the file: a
        // checking one never serves it (the commit breaks the contract).
        let store = GitResourceStore<Report>(
            transport: exchange.remote.transport(), resourceType: reportType,
            options: StoreOptions(identity: consumerIdentity, roles: namedRoles, historyCheck: .newCommitsOnly))
        try await store.refresh()
        return await #expect(throws: StoreError.self) { try await store.get(key) }
    }

    private let path = report("a").key.repositoryPath

    @Test func aValueOfTheWrongTypeSaysWhereItIs() async throws {
        let text = """
            apiVersion: reports.example.com/v1
            kind: Report
            metadata:
              name: a
              namespace: reports
            spec:
              schedule: "0 2 * * *"
              retries: three
              outputs: []

            """
        let error = try #require(try await readError(text))
        #expect(error.code == .invalidDocument)
        #expect(error.path == path)
        #expect(error.location?.line == 8)
        #expect(error.location?.column == 12)
        #expect(error.description.hasPrefix("\(path):8:12: spec.retries: "), "\(error)")
        #expect(!error.description.contains("at line"), "the place is said once: \(error)")
        let cause = try #require(error.cause as? DecodingError)
        guard case .typeMismatch(_, let context) = cause else {
            Issue.record("expected a type mismatch, got \(cause)")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["spec", "retries"])
    }

    @Test func aMissingFieldSaysWhichAndWhereItsMappingIs() async throws {
        let text = """
            apiVersion: reports.example.com/v1
            kind: Report
            metadata:
              name: a
              namespace: reports
            spec:
              schedule: "0 2 * * *"
              retries: 3
              outputs:
                - bucket: b

            """
        let error = try #require(try await readError(text))
        #expect(error.location?.line == 10, "the output mapping that lacks `format`")
        #expect(error.description.hasPrefix("\(path):10:"), "\(error)")
        #expect(error.message.hasPrefix("spec.outputs[0].format: "), "\(error.message)")
        #expect(error.cause is DecodingError)
    }

    @Test func textThatDoesNotParseSaysWhereAndKeepsTheCodecError() async throws {
        let text = "apiVersion: reports.example.com/v1\nkind: Report\nkind: Report\n"
        let codecError = #expect(throws: CodecError.self) { try YAMLReader().readDocument(Array(text.utf8)) }
        let expected = try #require(codecError)
        let error = try #require(try await readError(text))
        #expect(error.location?.line == 3)
        #expect(error.location == expected.location)
        #expect(error.description == "\(path):\(try #require(expected.location)): \(expected.message)")
        #expect(error.cause as? CodecError == expected)
    }

    @Test func aFileThatIsNotAMappingSaysSoAtItsStart() async throws {
        let error = try #require(try await readError("- one\n- two\n"))
        #expect(error.location?.line == 1)
        #expect(error.description.hasPrefix("\(path):1:1: a resource file holds one mapping"), "\(error)")
    }

    @Test func brokenMetadataIsAViolationThatSaysWhere() async throws {
        let exchange = Exchange()
        let key = report("a").key
        let text = """
            apiVersion: reports.example.com/v1
            kind: Report
            metadata:
              name: a
              namespace: reports
              generation: many
            spec: {}

            """
        try exchange.remote.forgeCommit(
            author: Signature(name: "Report producer", email: producerIdentity.email),
            edits: [.write(path: key.repositoryPath, contents: Array(text.utf8))])
        // The forged file breaks the contract: never in force, reported where it breaks.
        #expect(try await exchange.producer.apply(report("a")) == .created(generation: 1))
        let violation = try #require(exchange.events.violations.first { $0.path == key.repositoryPath })
        #expect(violation.rule == .metadata)
        #expect(violation.location?.line == 6)
        #expect(violation.message.hasPrefix("metadata.generation: "), "\(violation)")
    }

    @Test func equalityIgnoresTheCause() {
        let location = SourceLocation(line: 3, column: 7, offset: 40)
        let one = StoreError(.invalidDocument, path: "p.yaml", location: location, "bad", cause: CodecError(.syntax, "x"))
        let two = StoreError(.invalidDocument, path: "p.yaml", location: location, "bad")
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
        #expect(one != StoreError(.invalidDocument, path: "p.yaml", "bad"), "the place is part of what it says")
        #expect(one.description == "p.yaml:3:7: bad")
        #expect(StoreError(.encoding, "cannot encode").description == "cannot encode")
    }

    @Test func producerErrorCodesCompareAndDescribe() {
        let codes: [ProducerError.Code] = [.timedOut, .failed, .gone]
        for (index, code) in codes.enumerated() {
            for (other, second) in codes.enumerated() {
                #expect((code == second) == (index == other))
            }
        }
        #expect(Set(codes).count == 3)
        #expect(codes.map(\.description) == ["timed out", "failed", "gone"])
        let error = ProducerError(.timedOut, key: report("a").key, "timed out waiting")
        #expect(error.code == .timedOut)
        #expect(error.code != .gone)
    }
}
