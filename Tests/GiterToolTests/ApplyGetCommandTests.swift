import Foundation
import Giter
import Testing

/// `giter apply` and `giter get` against a bare repository, on both backends.
@Suite("giter apply and get")
struct ApplyGetCommandTests {
    @Test(arguments: ToolBackend.allCases)
    func applyReportsCreatedConfiguredAndUnchanged(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try exchange.write(
            "experiments.yaml",
            ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sieve-2")
        )

        let created = try await exchange.giter(["apply", "-f", "experiments.yaml"])
        #expect(created.stderr == "")
        #expect(created.status == 0)
        #expect(created.lines == ["Experiment/sort-1 created", "Experiment/sieve-2 created"])

        let unchanged = try await exchange.giter(["apply", "-f", "experiments.yaml"])
        #expect(unchanged.status == 0)
        #expect(unchanged.lines == ["Experiment/sort-1 unchanged", "Experiment/sieve-2 unchanged"])

        try exchange.write(
            "experiments.yaml",
            ExchangeFixture.experiment("sort-1", size: 2000) + "---\n" + ExchangeFixture.experiment("sieve-2")
        )
        let configured = try await exchange.giter(["apply", "-f", "experiments.yaml"])
        #expect(configured.status == 0)
        #expect(configured.lines == ["Experiment/sort-1 configured", "Experiment/sieve-2 unchanged"])

        let table = try await exchange.giter(["get", "experiments"])
        #expect(table.status == 0)
        #expect(table.lines.count == 3)
        #expect(cells(table.lines[0]) == ["NAME", "GENERATION", "OBSERVED", "READY", "AGE"])
        #expect(Array(cells(table.lines[1]).prefix(4)) == ["sieve-2", "1", "-", "-"])
        #expect(Array(cells(table.lines[2]).prefix(4)) == ["sort-1", "2", "-", "-"])
    }

    @Test(arguments: ToolBackend.allCases)
    func getPrintsYAMLJSONAndNames(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(
            ExchangeFixture.experiment("sort-1", labels: "suite: nightly") + "---\n"
                + ExchangeFixture.experiment("sieve-2")
        )

        let yaml = try await exchange.giter(["get", "Experiment", "sort-1", "-o", "yaml"])
        #expect(yaml.status == 0)
        let document = try YAMLReader().readDocument(yaml.stdout)
        #expect(document["kind"]?.string == "Experiment")
        #expect(document["metadata"]?["name"]?.string == "sort-1")
        #expect(document["metadata"]?["namespace"]?.string == "default")
        #expect(document["metadata"]?["generation"]?.number?.integer(as: Int.self) == 1)
        #expect(document["metadata"]?["labels"]?["suite"]?.string == "nightly")
        #expect(document["spec"] == ["workload": "sort", "size": 1000])

        let json = try await exchange.giter(["get", "experiments", "-o", "json"])
        #expect(json.status == 0)
        let list = try JSONReader().read(json.stdout)
        #expect(list["kind"]?.string == "List")
        #expect(list["items"]?.sequence?.compactMap { $0["metadata"]?["name"]?.string } == ["sieve-2", "sort-1"])

        let names = try await exchange.giter(["get", "experiment", "-o", "name"])
        #expect(names.status == 0)
        #expect(names.lines == ["Experiment/sieve-2", "Experiment/sort-1"])

        let selected = try await exchange.giter(["get", "EXPERIMENTS", "-l", "suite=nightly", "-o", "name"])
        #expect(selected.lines == ["Experiment/sort-1"])

        // What -o yaml prints, apply reads back unchanged.
        let again = try await exchange.giter(["apply", "-f", "-"], stdin: yaml.stdout)
        #expect(again.status == 0)
        #expect(again.lines == ["Experiment/sort-1 unchanged"])
    }

    @Test func allNamespacesAddsTheNamespaceColumn() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(
            ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sort-1", namespace: "lab")
        )

        let all = try await exchange.giter(["get", "experiments", "-A"])
        #expect(all.status == 0)
        #expect(cells(all.lines[0]) == ["NAMESPACE", "NAME", "GENERATION", "OBSERVED", "READY", "AGE"])
        #expect(
            all.lines.dropFirst().map { Array(cells($0).prefix(2)) } == [["default", "sort-1"], ["lab", "sort-1"]]
        )

        let lab = try await exchange.giter(["get", "experiments", "-n", "lab", "-o", "name"])
        #expect(lab.lines == ["Experiment/sort-1"])

        let empty = try await exchange.giter(["get", "experiments", "-n", "other"])
        #expect(empty.status == 0)
        #expect(empty.stdout == "")
        #expect(empty.stderr == "No Experiment resources found in namespace \"other\".\n")
    }

    @Test func applyReadsFoldersJSONAndSeveralKinds() async throws {
        let exchange = try await ExchangeFixture()
        try FileManager.default.createDirectory(
            at: exchange.directory.url.appendingPathComponent("specs"),
            withIntermediateDirectories: true
        )
        try exchange.write("specs/a.yaml", ExchangeFixture.experiment("sort-1"))
        try exchange.write(
            "specs/b.json",
            #"{"apiVersion": "reports.example.com/v2", "kind": "Report", "metadata": {"name": "weekly"}, "spec": {"format": "pdf"}}"#
        )
        try exchange.write("specs/notes.txt", "not a resource")

        let applied = try await exchange.giter(["apply", "-f", "specs"])
        #expect(applied.stderr == "")
        #expect(applied.status == 0)
        #expect(applied.lines == ["Experiment/sort-1 created", "Report/weekly created"])

        let reports = try await exchange.giter(["get", "reports", "weekly", "-o", "yaml"])
        #expect(reports.status == 0)
        let document = try YAMLReader().readDocument(reports.stdout)
        #expect(document["apiVersion"]?.string == "reports.example.com/v2")
        #expect(document["spec"]?["format"]?.string == "pdf")
    }

    @Test func anInvalidDocumentStopsTheWholeApply() async throws {
        let exchange = try await ExchangeFixture()
        let input =
            ExchangeFixture.experiment("sort-1") + """
                ---
                apiVersion: giter.example/v1
                kind: Experiment
                metadata:
                  name: Not_Valid
                spec: {}

                """
        let result = try await exchange.giter(["apply", "-f", "-"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.isOneLineError)
        #expect(result.stderr.hasPrefix("error: <stdin>:12:3: metadata.name: invalid value \"Not_Valid\""))

        // Nothing was written, not even the valid resource.
        let get = try await exchange.giter(["get", "Experiment", "sort-1"])
        #expect(get.status == 1)
    }
}
