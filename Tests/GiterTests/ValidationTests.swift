import Foundation
import Giter
import Testing

@Suite("Validation")
struct ValidationTests {
    /// The errors `validate()` throws for `resource`, or `[]` when it passes.
    func errors(_ resource: Report) -> [ValidationError] {
        do {
            try resource.validate()
            return []
        } catch {
            return error.errors
        }
    }

    @Test func aSampleResourceIsValid() throws {
        try Report.sample().validate()
        try Report.sample(namespace: nil).validate()
    }

    @Test(arguments: [
        "a", "nightly-report", "report.v2", "0", "a-b.c-d.e", "x.git", String(repeating: "a", count: 253),
    ])
    func validNames(_ name: String) throws {
        try Report.sample(name: name).validate()
    }

    @Test(arguments: [
        "../x", "a/b", ".git", "..", ".", "x.", ".x", "a..b", "-a", "a-", "Report", "a_b", "a b", "ä",
        "a\u{0}", "a.-b", "a-.b", "/",
    ])
    func invalidNames(_ name: String) throws {
        let found = errors(Report.sample(name: name))
        let error = try #require(found.first)
        #expect(found.count == 1)
        #expect(error.code == .invalid)
        #expect(error.field == "metadata.name")
        #expect(error.value == name)
        #expect(error.message.contains("RFC 1123 subdomain"))
    }

    @Test func emptyNameIsRequired() throws {
        let error = try #require(errors(Report.sample(name: "")).first)
        #expect(error.code == .required)
        #expect(error.value == nil)
        #expect(error.description.hasPrefix("metadata.name: required value: every resource needs a name"))
    }

    @Test func tooLongNameIsReported() throws {
        let found = errors(Report.sample(name: String(repeating: "a", count: 254)))
        #expect(found.map(\.code) == [.tooLong])
        #expect(found.first?.message.contains("at most 253 characters, not 254") == true)
    }

    @Test(arguments: ["default", "a", "team-1", "0x", String(repeating: "n", count: 63)])
    func validNamespaces(_ namespace: String) throws {
        try Report.sample(namespace: namespace).validate()
    }

    @Test(arguments: ["a.b", "../x", "a/b", "..", ".git", "Team", "-a", "a-", "a_b"])
    func invalidNamespaces(_ namespace: String) throws {
        let found = errors(Report.sample(namespace: namespace))
        #expect(found.map(\.field) == ["metadata.namespace"])
        #expect(found.map(\.code) == [.invalid])
        #expect(found.first?.message.contains("RFC 1123 label") == true)
    }

    @Test func emptyOrLongNamespace() {
        #expect(errors(Report.sample(namespace: "")).map(\.code) == [.required])
        #expect(errors(Report.sample(namespace: String(repeating: "n", count: 64))).map(\.code) == [.tooLong])
    }

    @Test(arguments: [
        "reports.example.com/v1", "a.b/v1beta2", "x.io/v2alpha1", "a.b/version-1",
        String(repeating: "a", count: 120) + "." + String(repeating: "b", count: 120) + "/v1",
    ])
    func validAPIVersions(_ apiVersion: String) throws {
        try Report.sample(apiVersion: apiVersion).validate()
    }

    @Test(arguments: [
        "v1", "apps/v1", "/v1", "example.com/", "example.com/1", "example.com/V1", "Example.com/v1",
        "example..com/v1", "a.b/c/v1", "example.com/v1/", "example.com//v1", ".example.com/v1", "exa mple.com/v1",
    ])
    func invalidAPIVersions(_ apiVersion: String) throws {
        let found = errors(Report.sample(apiVersion: apiVersion))
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.field == "apiVersion" && $0.code == .invalid && $0.value == apiVersion })
    }

    @Test func apiVersionMessagesSayWhichPartIsWrong() {
        #expect(errors(Report.sample(apiVersion: "v1")).first?.message.contains("needs an API group") == true)
        #expect(errors(Report.sample(apiVersion: "apps/v1")).first?.message.contains("at least one '.'") == true)
        #expect(errors(Report.sample(apiVersion: "a.b/1")).first?.message.contains("version after '/'") == true)
        #expect(errors(Report.sample(apiVersion: "")).map(\.code) == [.required])
    }

    @Test(arguments: ["Report", "R", "ReportRequest2", "HTTPRoute"])
    func validKinds(_ kind: String) throws {
        try Report.sample(kind: kind).validate()
    }

    @Test(arguments: ["report", "1Report", "Re-port", "Re_port", "Report.v1", "Ré", "Re port", "../Report"])
    func invalidKinds(_ kind: String) {
        let found = errors(Report.sample(kind: kind))
        #expect(found.map(\.field) == ["kind"])
        #expect(found.map(\.code) == [.invalid])
    }

    @Test func kindLength() {
        #expect(errors(Report.sample(kind: "K" + String(repeating: "k", count: 62))).isEmpty)
        #expect(errors(Report.sample(kind: "K" + String(repeating: "k", count: 63))).map(\.code) == [.tooLong])
        #expect(errors(Report.sample(kind: "")).map(\.code) == [.required])
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        var resource = Report.sample(apiVersion: "v1", kind: "report", name: "../x", namespace: "A")
        resource.metadata.generation = -1
        let thrown = try #require(throws: ValidationErrors.self) { try resource.validate() }
        #expect(
            thrown.fields == ["apiVersion", "kind", "metadata.name", "metadata.namespace", "metadata.generation"]
        )
        #expect(thrown.description.split(separator: "\n").count == thrown.errors.count)
        #expect(thrown.description.contains("metadata.name: invalid value \"../x\": a name must be"))
    }

    @Test func labels() throws {
        var meta = ObjectMeta(name: "a")
        meta.labels = [
            "app": "reporter", "example.com/tier": "back_end.1", "empty": "", "A-b_c.d": "X",
            String(repeating: "k", count: 63): String(repeating: "v", count: 63),
        ]
        try meta.validate()

        meta.labels = [
            "bad key": "x", "a/b/c": "x", "Example.com/x": "x", "/x": "x", "x/": "x", "-x": "x",
            String(repeating: "k", count: 64): "x", "ok": "bad value", "ok2": "-x",
            "ok3": String(repeating: "v", count: 64),
        ]
        let thrown = try #require(throws: ValidationErrors.self) { try meta.validate() }
        let keyErrors = thrown.errors.filter { $0.field == "metadata.labels" }
        #expect(
            Set(keyErrors.compactMap(\.value)) == [
                "bad key", "a/b/c", "Example.com/x", "/x", "x/", "-x", String(repeating: "k", count: 64),
            ]
        )
        let valueErrors = thrown.errors.filter { $0.field != "metadata.labels" }
        #expect(valueErrors.map(\.field) == ["metadata.labels[ok]", "metadata.labels[ok2]", "metadata.labels[ok3]"])
        #expect(valueErrors.allSatisfy { $0.message.contains("label value") })
    }

    @Test func annotationsAndFinalizers() throws {
        var meta = ObjectMeta(
            name: "a",
            annotations: ["example.com/note": "any text: at all\n"],
            finalizers: ["example.com/cleanup"]
        )
        try meta.validate()

        meta.annotations = ["bad key": "x"]
        meta.finalizers = ["ok", "not ok"]
        let thrown = try #require(throws: ValidationErrors.self) { try meta.validate() }
        #expect(thrown.fields == ["metadata.annotations", "metadata.finalizers[1]"])

        meta.finalizers = nil
        meta.annotations = ["big": String(repeating: "x", count: 256 * 1024)]
        let tooBig = try #require(throws: ValidationErrors.self) { try meta.validate() }
        #expect(tooBig.errors.map(\.code) == [.tooLong])
        #expect(tooBig.errors.first?.field == "metadata.annotations")
    }

    @Test func statusConditionsAreValidated() throws {
        var resource = Report.sample()
        let time = Date(timeIntervalSince1970: 0)
        resource.status = TestStatus(
            observedGeneration: -2,
            conditions: [
                Condition(type: "Ready", status: .true, lastTransitionTime: time, reason: "Done"),
                Condition(type: "example.com/Drained", status: .false, lastTransitionTime: time, reason: "A_b:c,d"),
                Condition(type: "Ready", status: .false, lastTransitionTime: time, reason: "Again"),
                Condition(
                    type: "bad type",
                    status: .true,
                    observedGeneration: -1,
                    lastTransitionTime: time,
                    reason: ""
                ),
                Condition(
                    type: "Other",
                    status: .true,
                    lastTransitionTime: time,
                    reason: "Trailing:",
                    message: String(repeating: "m", count: 32769)
                ),
            ]
        )
        let thrown = try #require(throws: ValidationErrors.self) { try resource.validate() }
        #expect(
            thrown.fields == [
                "status.observedGeneration",
                "status.conditions[2].type",
                "status.conditions[3].type",
                "status.conditions[3].observedGeneration",
                "status.conditions[3].reason",
                "status.conditions[4].reason",
                "status.conditions[4].message",
            ]
        )
        #expect(thrown.errors.first { $0.field == "status.conditions[2].type" }?.code == .duplicate)
        #expect(thrown.errors.first { $0.field == "status.conditions[3].reason" }?.code == .required)
        #expect(thrown.errors.first { $0.field == "status.conditions[4].message" }?.code == .tooLong)
    }

    @Test func statusesWithoutConditionsAreNotChecked() throws {
        let resource = CustomResource<ReportSpec, [String: Int]>(
            apiVersion: "reports.example.com/v1",
            kind: "Report",
            metadata: ObjectMeta(name: "a"),
            spec: Report.sample().spec,
            status: ["anything": -1]
        )
        try resource.validate()
    }

    @Test func errorDescriptionsEscapeAndShortenValues() {
        let error = ValidationError(.invalid, field: "f", value: "a\"b\\c\nd\u{1}", message: "m")
        #expect(error.description == #"f: invalid value "a\"b\\c\nd\u{1}": m"#)
        let long = ValidationError(.tooLong, field: "f", value: String(repeating: "x", count: 100), message: "m")
        #expect(long.description == "f: value too long \"" + String(repeating: "x", count: 80) + "…\": m")
    }
}
