import Foundation
import Giter
import Testing

/// `giter get -o jsonpath=…`, `-o custom-columns=…` and set-based `-l`
/// selectors, against a bare repository, on both backends.
@Suite("giter get: jsonpath, custom columns, set-based selectors")
struct GetOutputCommandTests {
    /// Three experiments: sort-1 (suite nightly, size 1000, Ready), sieve-2
    /// (suite weekly, size 2000) and hash-3 (no labels, size 3000).
    static func exchange(_ backend: ToolBackend) async throws -> ExchangeFixture {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(
            ExchangeFixture.experiment("sort-1", labels: "suite: nightly") + "---\n"
                + ExchangeFixture.experiment("sieve-2", size: 2000, labels: "suite: weekly") + "---\n"
                + ExchangeFixture.experiment("hash-3", size: 3000)
        )
        try await exchange.writeStatus("sort-1")
        return exchange
    }

    @Test(arguments: ToolBackend.allCases)
    func jsonPathPrintsKubectlTemplates(_ backend: ToolBackend) async throws {
        let exchange = try await Self.exchange(backend)
        let names = try await exchange.giter(["get", "experiments", "-o", "jsonpath={.items[*].metadata.name}"])
        #expect(names.status == 0, "\(names)")
        #expect(names.stdout == "hash-3 sieve-2 sort-1")

        let ranged = try await exchange.giter([
            "get", "experiments", "-o",
            #"jsonpath={range .items[?(@.spec.size >= 2000)]}{.metadata.name}{"\t"}{.spec.size}{"\n"}{end}"#,
        ])
        #expect(ranged.stdout == "hash-3\t3000\nsieve-2\t2000\n", "\(ranged)")

        // One resource named: the template applies to it, not to a List.
        let ready = try await exchange.giter([
            "get", "Experiment/sort-1", "-o",
            #"jsonpath={.status.conditions[?(@.type=="Ready")].status} {.metadata.labels} {.spec.missing}"#,
        ])
        #expect(ready.stdout == #"True {"suite":"nightly"} "#, "\(ready)")
        let slice = try await exchange.giter(["get", "experiments", "-o", "jsonpath={.items[-1:].metadata.name}"])
        #expect(slice.stdout == "sort-1", "\(slice)")
        let union = try await exchange.giter(["get", "experiments", "-o", "jsonpath={.items[0,2]..name}"])
        #expect(union.stdout == "hash-3 sort-1", "\(union)")
    }

    @Test(arguments: ToolBackend.allCases)
    func customColumnsPrintATablePerPath(_ backend: ToolBackend) async throws {
        let exchange = try await Self.exchange(backend)
        let table = try await exchange.giter([
            "get", "experiments", "-o",
            #"custom-columns=NAME:.metadata.name,SIZE:{.spec.size},SUITE:metadata.labels.suite,READY:.status.conditions[?(@.type=="Ready")].status"#,
        ])
        #expect(table.status == 0, "\(table)")
        #expect(
            table.lines.map(cells) == [
                ["NAME", "SIZE", "SUITE", "READY"],
                ["hash-3", "3000", "<none>", "<none>"],
                ["sieve-2", "2000", "weekly", "<none>"],
                ["sort-1", "1000", "nightly", "True"],
            ]
        )
    }

    @Test(arguments: [
        ("-o", "jsonpath={.items[*}", "column 10"),
        ("-o", "jsonpath={range .items[*]}{.x}", "{end}"),
        ("-o", "jsonpath=", "needs a template"),
        ("-o", "custom-columns=NAME", "HEADER:PATH"),
        ("-o", "custom-columns=A:.x[?(@.y ~ 1)]", "the path of A"),
        ("-o", "table", "not an output format"),
        ("-o", "jsonpath=" + String(repeating: "{range .a}", count: 33), "nested {range"),
        ("-o", "jsonpath={.a" + String(repeating: "[?(@.b", count: 40) + "}", "filters inside each other"),
        ("-l", "suite in ()", "has no values"),
        ("-l", "suite in (a,b", "unbalanced parentheses"),
        ("-l", "suite on (a)", "not a requirement"),
    ])
    func badFormatsAndSelectorsAreUsageErrors(_ option: String, _ value: String, _ message: String) async throws {
        let exchange = try await ExchangeFixture()
        let result = try await exchange.giter(["get", "experiments", option, value])
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test(arguments: ToolBackend.allCases)
    func setBasedSelectorsChooseResources(_ backend: ToolBackend) async throws {
        let exchange = try await Self.exchange(backend)
        let cases: [(String, [String])] = [
            ("suite in (nightly,weekly)", ["sieve-2", "sort-1"]),
            ("suite in (nightly)", ["sort-1"]),
            ("suite notin (nightly)", ["hash-3", "sieve-2"]),
            ("suite", ["sieve-2", "sort-1"]),
            ("!suite", ["hash-3"]),
            ("suite notin (nightly, weekly),!suite", ["hash-3"]),
            ("suite in (weekly),suite!=weekly", []),
        ]
        for (selector, expected) in cases {
            let result = try await exchange.giter(["get", "experiments", "-l", selector, "-o", "name"])
            #expect(result.status == 0, "\(selector): \(result)")
            #expect(result.lines == expected.map { "Experiment/\($0)" }, "\(selector)")
        }
    }
}

/// The selector's parsing and matching, without a repository.
@Suite struct LabelSelectorSetTests {
    @Test func parsesAndMatchesSetRequirements() throws {
        let selector = try LabelSelector(parsing: "env in (prod, staging),tier notin (cache),app,!legacy")
        #expect(
            selector.requirements == [
                .isIn("env", ["prod", "staging"]), .notIn("tier", ["cache"]), .exists("app"), .doesNotExist("legacy"),
            ]
        )
        #expect(selector.description == "env in (prod,staging),tier notin (cache),app,!legacy")
        #expect(selector.matches(["env": "prod", "app": "a"]))
        #expect(selector.matches(["env": "staging", "tier": "web", "app": "a"]))
        #expect(!selector.matches(["env": "dev", "app": "a"]))
        #expect(!selector.matches(["env": "prod", "tier": "cache", "app": "a"]))
        #expect(!selector.matches(["env": "prod", "app": "a", "legacy": "1"]))
        #expect(!selector.matches(["app": "a"]), "in needs the label")
        #expect(try LabelSelector(parsing: selector.description) == selector)
    }

    @Test(arguments: ["a in ()", "a in (x", "a notin x)", "in (x)", "a in (x y)", "a b in (x)", "a in (x),(b)"])
    func rejectsMalformedSetRequirements(_ text: String) {
        #expect(throws: ValidationErrors.self) { try LabelSelector(parsing: text) }
    }
}
