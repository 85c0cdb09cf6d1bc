import Giter

/// The spec of the resources the tests exchange.
struct ReportSpec: ResourceSpec {
    struct Output: Codable, Sendable, Equatable {
        var bucket: String
        var format: String
    }

    var schedule: String
    var retries: Int
    var outputs: [Output]
    var dryRun: Bool?
}

/// A status with the conventional fields and one of its own.
struct TestStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var url: String?
}

typealias Report = CustomResource<ReportSpec, TestStatus>

extension Report {
    /// A valid resource to break in tests.
    static func sample(
        apiVersion: String = "reports.example.com/v1",
        kind: String = "Report",
        name: String = "nightly-report",
        namespace: String? = "reports"
    ) -> Report {
        Report(
            apiVersion: apiVersion,
            kind: kind,
            metadata: ObjectMeta(name: name, namespace: namespace, labels: ["app": "reporter"], generation: 2),
            spec: ReportSpec(
                schedule: "0 2 * * *",
                retries: 3,
                outputs: [ReportSpec.Output(bucket: "reports", format: "pdf")]
            )
        )
    }
}
