import Giter
import Testing

/// The grouping itself; how backends apply it is checked by the Transport
/// conformance suite (`TransportConformanceTests+Edits.swift`).
@Suite("Tree edit plan")
struct TreeEditPlanTests {
    static func write(_ path: String) -> PathEdit { .write(path: path, contents: Array(path.utf8)) }

    @Test func foldersComeDeepestFirstWithTheRootLast() throws {
        let plan = try TreeEditPlan([
            Self.write("b/x/y/deep"), Self.write("top"), .delete(path: "a/gone"), Self.write("b/x/f"), Self.write("a/z"),
            Self.write("b/w/g"),
        ])
        #expect(plan.folders.map(\.path) == ["b/x/y", "b/w", "b/x", "a", "b", ""])
        let byPath = Dictionary(uniqueKeysWithValues: plan.folders.map { ($0.path, $0) })
        #expect(byPath[""]?.files.map(\.name) == ["top"])
        #expect(byPath[""]?.subfolders == ["a", "b"])
        #expect(byPath["a"]?.files.map(\.name) == ["gone", "z"])
        #expect(byPath["a"]?.files.first?.edit == .delete(path: "a/gone"))
        #expect(byPath["b"]?.files.isEmpty == true)
        #expect(byPath["b"]?.subfolders == ["w", "x"])
        #expect(byPath["b/x"]?.subfolders == ["y"])
        #expect(byPath["b/x"]?.path(of: "f") == "b/x/f")
        #expect(byPath[""]?.path(of: "top") == "top")
        // Every edit is in exactly one folder, under its own name.
        let files = plan.folders.flatMap { folder in folder.files.map { folder.path(of: $0.name) } }
        #expect(files.sorted() == ["a/gone", "a/z", "b/w/g", "b/x/f", "b/x/y/deep", "top"])
        // Each sub-folder is planned before its parent.
        for (index, folder) in plan.folders.enumerated() {
            for name in folder.subfolders {
                let child = try #require(plan.folders.firstIndex { $0.path == folder.path(of: name) })
                #expect(child < index)
            }
        }
    }

    @Test func noEditsPlanTheRootAlone() throws {
        let plan = try TreeEditPlan([])
        #expect(plan.folders.map(\.path) == [""])
        #expect(plan.folders.first?.files.isEmpty == true && plan.folders.first?.subfolders.isEmpty == true)
    }

    @Test(arguments: [
        [TreeEditPlanTests.write("a"), TreeEditPlanTests.write("a")],
        [TreeEditPlanTests.write("a"), .delete(path: "a")],
        [.delete(path: "a"), .delete(path: "a")],
        [TreeEditPlanTests.write("a"), TreeEditPlanTests.write("a/b")],
        [TreeEditPlanTests.write("a/b/c"), .delete(path: "a")],
        [.delete(path: "a/b"), TreeEditPlanTests.write("a/b/c/d")],
    ])
    func conflictingEditsAreInvalidArguments(edits: [PathEdit]) throws {
        let error = #expect(throws: TransportError.self) { try TreeEditPlan([Self.write("other")] + edits) }
        #expect(error?.code == .invalidArgument)
        let deepest = try #require(edits.map(\.path).max { $0.count < $1.count })
        #expect(error?.message.contains("'\(deepest)'") == true, "\(error?.message ?? "")")
    }

    @Test func siblingsThatShareAPrefixDoNotConflict() throws {
        let plan = try TreeEditPlan([Self.write("a.yaml"), Self.write("a/b"), Self.write("ab"), .delete(path: "a-b/c")])
        #expect(plan.folders.map(\.path) == ["a", "a-b", ""])
    }

    @Test func unsafePathsAreRefusedFirst() throws {
        let error = #expect(throws: TransportError.self) {
            try TreeEditPlan([.delete(path: "x/../y"), .delete(path: "x/../y")])
        }
        #expect(error?.code == .unsafePath)
    }
}
