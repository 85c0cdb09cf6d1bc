import Giter
import Testing

@Suite("ReadScope")
struct ReadScopeTests {
    @Test func everythingHoldsEveryPath() {
        #expect(ReadScope.everything.isEverything)
        #expect(ReadScope.everything.contains(path: "resources/a/Job/ab/x.yaml"))
        #expect(ReadScope.everything.contains(path: "anything"))
    }

    @Test func namespacesAndKindsOfResourceAndArchivePaths() {
        let scope = ReadScope.only(namespaces: ["lab"], kinds: ["Job"])
        #expect(!scope.isEverything)
        #expect(scope.contains(path: "resources/lab/Job/ab/x.yaml"))
        #expect(scope.contains(path: "archive/lab/Job/ab/x.yaml"))
        #expect(!scope.contains(path: "resources/far/Job/ab/x.yaml"))
        #expect(!scope.contains(path: "resources/lab/Other/ab/x.yaml"))
        #expect(!scope.contains(path: "archive/far/Job/ab/x.yaml"))
        #expect(scope.contains(ResourceKey(namespace: "lab", kind: "Job", name: "x")))
        #expect(!scope.contains(ResourceKey(namespace: "lab", kind: "Other", name: "x")))
    }

    /// The contract, other files, and anything not under a namespace and kind folder are always judged.
    @Test func pathsOutsideTheResourceFoldersAreInEveryScope() {
        let scope = ReadScope.only(namespaces: ["lab"])
        for path in [".giter/policy.yaml", ".giter/crds/jobs.yaml", "README.md", "resources/far", "resources/far/Job",
            "other/far/Job/ab/x.yaml"]
        {
            #expect(scope.contains(path: path), "\(path)")
        }
        #expect(!scope.contains(path: "resources/far/Job/x"))
        #expect(ReadScope.only(kinds: ["Job"]).contains(path: "resources/any/Job/ab/x.yaml"))
    }
}
