import Foundation
import Giter
import Testing

@Suite("Resource coding")
struct ResourceCodingTests {
    static let yaml = """
        # A report the producer wants every night.
        apiVersion: reports.example.com/v1
        kind: Report
        metadata:
          name: nightly-report
          namespace: reports
          labels:
            app.kubernetes.io/name: reporter
            tier: backend
          annotations:
            example.com/owner: "team-a@example.com"
          generation: 3
          uid: 6f1c2a9e-93c4-4d5e-8f33-0c1b2a3d4e5f
          creationTimestamp: "2025-01-30T08:00:00Z"
          resourceVersion: "12345"
          finalizers:
          - example.com/cleanup
        spec:
          schedule: "0 2 * * *"
          retries: 3
          outputs:
          - bucket: reports
            format: pdf
          - bucket: archive
            format: csv
        status:
          observedGeneration: 2
          url: https://example.com/r/2
          conditions:
          - type: Ready
            status: "True"
            observedGeneration: 2
            lastTransitionTime: "2025-01-31T09:30:00Z"
            reason: ReportPublished
            message: The report is in the bucket.
          - type: Degraded
            status: "False"
            lastTransitionTime: 2025-01-31T09:30:00.5Z
            reason: Healthy
            message: ""
        """

    static func date(_ text: String) throws -> Date {
        try #require(RFC3339.date(from: text))
    }

    @Test func decodesARealisticResourceFromYAML() throws {
        let report = try DocumentDecoder().decode(Report.self, fromYAML: Self.yaml)
        #expect(report.apiVersion == "reports.example.com/v1")
        #expect(report.kind == "Report")
        #expect(report.group == "reports.example.com")
        #expect(report.version == "v1")
        #expect(report.key.repositoryPath == "resources/reports/Report/8b/nightly-report.yaml")

        let meta = report.metadata
        #expect(meta.name == "nightly-report")
        #expect(meta.namespace == "reports")
        #expect(meta.labels == ["app.kubernetes.io/name": "reporter", "tier": "backend"])
        #expect(meta.annotations == ["example.com/owner": "team-a@example.com"])
        #expect(meta.generation == 3)
        #expect(meta.uid == "6f1c2a9e-93c4-4d5e-8f33-0c1b2a3d4e5f")
        #expect(meta.creationTimestamp == (try Self.date("2025-01-30T08:00:00Z")))
        #expect(meta.finalizers == ["example.com/cleanup"])

        #expect(report.spec.schedule == "0 2 * * *")
        #expect(report.spec.outputs.map(\.format) == ["pdf", "csv"])
        #expect(report.spec.dryRun == nil)

        let status = try #require(report.status)
        #expect(status.observedGeneration == 2)
        #expect(status.url == "https://example.com/r/2")
        #expect(status.conditions.count == 2)
        let ready = try #require(status.condition(ofType: "Ready"))
        #expect(ready.status == .true)
        #expect(ready.observedGeneration == 2)
        #expect(ready.lastTransitionTime == (try Self.date("2025-01-31T09:30:00Z")))
        #expect(ready.reason == "ReportPublished")
        #expect(ready.message == "The report is in the bucket.")
        let degraded = try #require(status.condition(ofType: "Degraded"))
        #expect(degraded.status == .false)
        #expect(degraded.observedGeneration == nil)
        #expect(degraded.lastTransitionTime == (try Self.date("2025-01-31T09:30:00.5Z")))
        #expect(!report.isStatusCurrent)

        try report.validate()
    }

    @Test func encodesInKubernetesOrderAndLeavesOutNil() throws {
        var report = Report.sample()
        report.metadata.labels = ["tier": "backend", "app": "reporter", "b": "2"]
        let yaml = try DocumentEncoder().encodeYAML(report)
        #expect(
            yaml == """
                apiVersion: reports.example.com/v1
                kind: Report
                metadata:
                  name: nightly-report
                  namespace: reports
                  labels:
                    app: reporter
                    b: "2"
                    tier: backend
                  generation: 2
                spec:
                  schedule: 0 2 * * *
                  retries: 3
                  outputs:
                  - bucket: reports
                    format: pdf

                """
        )
    }

    @Test func encodesConditionsWithEveryKubernetesField() throws {
        var status = TestStatus(observedGeneration: 4)
        status.conditions.setCondition(
            Condition(type: "Ready", status: .unknown, observedGeneration: 4, reason: "Pending"),
            now: try Self.date("2025-02-01T00:00:00Z")
        )
        let json = try DocumentEncoder().encodeJSON(status)
        #expect(
            json == #"{"observedGeneration":4,"conditions":[{"type":"Ready","status":"Unknown","observedGeneration":4,"#
                + #""lastTransitionTime":"2025-02-01T00:00:00Z","reason":"Pending","message":""}]}"#
        )
    }

    @Test func roundTripsThroughYAMLAndJSON() throws {
        let report = try DocumentDecoder().decode(Report.self, fromYAML: Self.yaml)
        let yaml = try DocumentEncoder().encodeYAML(report)
        #expect(try DocumentDecoder().decode(Report.self, fromYAML: yaml) == report)
        let json = try DocumentEncoder().encodeJSON(report)
        #expect(try DocumentDecoder().decode(Report.self, fromJSON: json) == report)
        // Encoding is deterministic: the same resource gives the same bytes.
        #expect(try DocumentEncoder().encodeYAML(report) == yaml)
    }

    @Test func missingOrNullStatusDecodesAsNil() throws {
        let base = """
            apiVersion: reports.example.com/v1
            kind: Report
            metadata: {name: a}
            spec: {schedule: x, retries: 0, outputs: []}

            """
        let absent = try DocumentDecoder().decode(Report.self, fromYAML: base)
        #expect(absent.status == nil)
        #expect(absent.metadata.namespace == nil)
        let null = try DocumentDecoder().decode(Report.self, fromYAML: base + "status: null\n")
        #expect(null.status == nil)
        #expect(!(try DocumentEncoder().encodeYAML(null).contains("status")))
    }

    @Test func conditionReasonAndMessageMayBeMissing() throws {
        let condition = try DocumentDecoder().decode(
            Condition.self,
            fromYAML: "type: Ready\nstatus: \"False\"\nlastTransitionTime: 2025-01-01T00:00:00Z\n"
        )
        #expect(condition.reason == "")
        #expect(condition.message == "")
    }

    @Test(arguments: [
        ("metadata: {namespace: a}", "metadata.name"),
        ("metadata: {name: 7}", "metadata.name"),
        ("metadata: {name: a, generation: x}", "metadata.generation"),
        ("metadata: {name: a, creationTimestamp: yesterday}", "metadata.creationTimestamp"),
        ("metadata: {name: a, labels: {app: [x]}}", "metadata.labels.app"),
    ])
    func metadataTypeErrorsNameTheField(metadata: String, expected: String) throws {
        let yaml = "apiVersion: a.b/v1\nkind: K\n\(metadata)\nspec: {schedule: x, retries: 0, outputs: []}\n"
        let error = try #require(throws: DecodingError.self) {
            try DocumentDecoder().decode(Report.self, fromYAML: yaml)
        }
        #expect(Self.path(of: error) == expected)
    }

    /// The coding path a decoding error names, with the missing key for `keyNotFound`.
    static func path(of error: DecodingError) -> String {
        let keys: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): keys = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            keys = context.codingPath
        @unknown default: keys = []
        }
        return keys.map(\.stringValue).joined(separator: ".")
    }

    @Test(arguments: ["true", "TRUE", "yes", "1", "Maybe"])
    func conditionStatusMustBeOneOfThree(_ value: String) throws {
        let yaml = "type: Ready\nstatus: \"\(value)\"\nlastTransitionTime: 2025-01-01T00:00:00Z\nreason: R\n"
        #expect(throws: DecodingError.self) { try DocumentDecoder().decode(Condition.self, fromYAML: yaml) }
    }

    @Test func unsetTransitionTimeEncodesAsGoZeroTime() throws {
        let condition = Condition(type: "Ready", status: .true, reason: "Done")
        let node = try DocumentEncoder().encodeNode(condition)
        #expect(node["lastTransitionTime"]?.string == "0001-01-01T00:00:00Z")
    }
}
