import Foundation
@testable import Giter
import Testing

@Suite("Resource keys")
struct ResourceKeyTests {
    let key = ResourceKey(namespace: "reports", kind: "Report", name: "nightly.v2")

    @Test func descriptionAndPaths() {
        #expect(key.description == "reports/Report/nightly.v2")
        #expect(key.repositoryPath == "resources/reports/Report/14/nightly.v2.yaml")
        #expect(key.archivePath == "archive/reports/Report/14/nightly.v2.yaml")
    }

    @Test func pathsParseBackToKeys() {
        #expect(ResourceKey(repositoryPath: key.repositoryPath) == key)
        #expect(ResourceKey(archivePath: key.archivePath) == key)
        #expect(ResourceKey(repositoryPath: key.archivePath) == nil)
        #expect(ResourceKey(archivePath: key.repositoryPath) == nil)
    }

    @Test func bucketsAreFixedAndChecked() {
        // FNV-1a, low byte: pinned so that no release moves existing files.
        #expect(ResourceKey(namespace: "n", kind: "K", name: "a").bucket == "2c")
        #expect(key.bucket == "14")
        #expect(ResourceKey(repositoryPath: "resources/reports/Report/00/nightly.v2.yaml") == nil)
        #expect(ResourceKey(repositoryPath: "resources/reports/Report/nightly.v2.yaml") == nil)
    }

    @Test(arguments: [
        "resources/reports/Report/2c/a.yml",
        "resources/reports/Report/2c/.yaml",
        "resources/reports/Report/2c/../x.yaml",
        "resources/reports/Report/2c/sub/a.yaml",
        "resources/reports/2c/a.yaml",
        "resources/../Report/2c/a.yaml",
        "resources//Report/2c/a.yaml",
        "resources/reports/report/2c/a.yaml",
        "resources/Reports/Report/2c/a.yaml",
        "/resources/reports/Report/2c/a.yaml",
        "resources/reports/Report/2c/A.yaml",
        ".giter/reports/Report/2c/a.yaml",
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

    /// Every bucket is two lowercase hexadecimal digits, the name hash's low byte.
    @Test func everyBucketIsItsHashsLowByte() {
        for index in 0..<2_000 {
            let key = ResourceKey(namespace: "n", kind: "K", name: "item-\(index)")
            let low = key.nameHash & 0xff
            #expect(key.bucket == String(format: "%02x", low), "\(key.name)")
        }
    }

    /// An object id is kept in lowercase: uppercase digits are lowered, anything else refused.
    @Test func objectIDsAreLowercaseHexadecimal() throws {
        let lower = String(repeating: "0123456789abcdef", count: 4).prefix(40)
        #expect(ObjectID(hex: String(lower))?.hex == String(lower))
        #expect(ObjectID(hex: String(lower).uppercased())?.hex == String(lower))
        #expect(ObjectID(hex: String(repeating: "A", count: 64))?.hex == String(repeating: "a", count: 64))
        #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
        #expect(ObjectID(hex: String(repeating: "a", count: 39)) == nil)
        #expect(ObjectID(hex: String(repeating: "a", count: 39) + " ") == nil)
    }
}
