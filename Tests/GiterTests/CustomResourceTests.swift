import Foundation
import Giter
import Testing

@Suite("Custom resources")
struct CustomResourceTests {
    @Test(arguments: [
        (apiVersion: "reports.example.com/v1", group: "reports.example.com", version: "v1"),
        (apiVersion: "v1", group: "", version: "v1"),
        (apiVersion: "a.b/c/v2", group: "a.b/c", version: "v2"),
        (apiVersion: "", group: "", version: ""),
    ])
    func groupAndVersion(apiVersion: String, group: String, version: String) {
        let resource = Report.sample(apiVersion: apiVersion)
        #expect(resource.group == group)
        #expect(resource.version == version)
    }

    @Test func statusIsCurrentWhenItObservedTheGeneration() {
        var resource = Report.sample()
        #expect(!resource.isStatusCurrent)
        resource.status = TestStatus(observedGeneration: 1)
        #expect(!resource.isStatusCurrent)
        resource.status?.observedGeneration = 2
        #expect(resource.isStatusCurrent)
        resource.metadata.generation = 3
        #expect(!resource.isStatusCurrent)
    }

    @Test func equalityCoversEveryPart() {
        let base = Report.sample()
        #expect(base == Report.sample())
        var other = base
        other.status = TestStatus()
        #expect(other != base)
        other = base
        other.spec.retries += 1
        #expect(other != base)
        other = base
        other.metadata.labels?["app"] = "other"
        #expect(other != base)
    }

    @Test func metadataDefaults() {
        let meta = ObjectMeta(name: "a")
        #expect(meta.namespace == nil)
        #expect(meta.effectiveNamespace == ObjectMeta.defaultNamespace)
        #expect(meta.labels == nil && meta.annotations == nil && meta.generation == nil)
        #expect(meta.uid == nil && meta.creationTimestamp == nil && meta.finalizers == nil)
    }
}
