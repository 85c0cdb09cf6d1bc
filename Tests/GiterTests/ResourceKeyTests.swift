import Giter
import Testing

@Suite("Resource keys")
struct ResourceKeyTests {
    let key = ResourceKey(namespace: "reports", kind: "Report", name: "nightly.v2")

    @Test func descriptionAndPaths() {
        #expect(key.description == "reports/Report/nightly.v2")
        #expect(key.repositoryPath == "resources/reports/Report/nightly.v2.yaml")
        #expect(key.archivePath == "archive/reports/Report/nightly.v2.yaml")
    }

    @Test func pathsParseBackToKeys() {
        #expect(ResourceKey(repositoryPath: key.repositoryPath) == key)
        #expect(ResourceKey(archivePath: key.archivePath) == key)
        #expect(ResourceKey(repositoryPath: key.archivePath) == nil)
        #expect(ResourceKey(archivePath: key.repositoryPath) == nil)
    }

    @Test(arguments: [
        "resources/reports/Report/a.yml",
        "resources/reports/Report/.yaml",
        "resources/reports/Report/../x.yaml",
        "resources/reports/Report/sub/a.yaml",
        "resources/reports/a.yaml",
        "resources/../Report/a.yaml",
        "resources//Report/a.yaml",
        "resources/reports/report/a.yaml",
        "resources/Reports/Report/a.yaml",
        "/resources/reports/Report/a.yaml",
        "resources/reports/Report/A.yaml",
        ".giter/reports/Report/a.yaml",
        "",
    ])
    func otherPathsAreNotKeys(_ path: String) {
        #expect(ResourceKey(repositoryPath: path) == nil)
    }

    @Test func resourceKeysComeFromMetadata() {
        let resource = Report.sample()
        #expect(resource.key == ResourceKey(namespace: "reports", kind: "Report", name: "nightly-report"))
        #expect(Report.sample(namespace: nil).key.namespace == "default")
    }

    @Test func keysSortByNamespaceKindName() {
        let keys = [
            ResourceKey(namespace: "b", kind: "A", name: "a"),
            ResourceKey(namespace: "a", kind: "B", name: "a"),
            ResourceKey(namespace: "a", kind: "A", name: "b"),
            ResourceKey(namespace: "a", kind: "A", name: "a"),
        ]
        #expect(keys.sorted().map(\.description) == ["a/A/a", "a/A/b", "a/B/a", "b/A/a"])
    }

    @Test func validationNamesTheParts() throws {
        try key.validate()
        let bad = ResourceKey(namespace: "..", kind: "x", name: "a/b")
        let thrown = try #require(throws: ValidationErrors.self) { try bad.validate() }
        #expect(thrown.fields == ["metadata.namespace", "kind", "metadata.name"])
    }
}
