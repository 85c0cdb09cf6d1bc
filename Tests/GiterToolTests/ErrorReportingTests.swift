import Foundation
import GitServerFixtures
import Testing

/// Errors are one line on standard error, with the documented exit status.
@Suite("giter errors")
struct ErrorReportingTests {
    @Test(arguments: ToolBackend.allCases)
    func aMissingRemoteIsOneLine(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend, initialized: false)
        let result = try await exchange.giter(["get", "experiments"])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.isOneLineError, "\(result.stderr)")
        #expect(result.stderr.contains(exchange.remote))
        #expect(result.stderr.contains("giter init"))
    }

    @Test(
        "A server that never answers is a one-line timed-out error after --network-timeout",
        .timeLimit(.minutes(1)), arguments: ToolBackend.allCases)
    func aSilentServerTimesOut(_ backend: ToolBackend) async throws {
        let directory = try TemporaryDirectory()
        try await LoopbackPort.withSilentPort { port in
            let result = try await directory.run([
                "get", "experiments", "--backend", backend.rawValue, "--network-timeout", "1s",
                "--remote", "git://127.0.0.1:\(port)/exchange.git", "--cache", directory.url.path + "/mirror",
            ])
            #expect(result.status == 1)
            #expect(result.isOneLineError, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("error: timed out: "), "\(result.stderr)")
            #expect(result.stderr.contains("give it longer with --network-timeout"), "\(result.stderr)")
        }
    }

    @Test func noRemoteAtAllIsAUsageError() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["get", "experiments", "--cache", directory.url.path + "/mirror"])
        #expect(result.status == 64)
        #expect(result.isOneLineError)
        #expect(result.stderr == "error: no exchange repository given: pass --remote URL or set GITER_REMOTE\n")
    }

    @Test func anUnknownKindIsOneLine() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        for kind in ["Experimnt", "widgets"] {
            let result = try await exchange.giter(["get", kind])
            #expect(result.status == 1)
            #expect(result.isOneLineError)
            #expect(result.stderr.hasPrefix("error: unknown kind '\(kind)': the exchange holds Experiment;"))
        }
        let missing = try await exchange.giter(["get", "experiments", "nope"])
        #expect(missing.status == 1)
        #expect(missing.isOneLineError)
        #expect(missing.stderr.hasPrefix("error: Experiment \"nope\" not found in namespace \"default\""))
    }

    @Test func badYAMLIsReportedAtFileLineColumn() async throws {
        let exchange = try await ExchangeFixture()
        try exchange.write(
            "bad.yaml",
            """
            apiVersion: giter.example/v1
            kind: Experiment
            metadata:
              name: [sort-1
            spec: {}

            """
        )
        let result = try await exchange.giter(["apply", "-f", "bad.yaml"])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.isOneLineError)
        // The flow sequence opened on line 4 is still open on line 5.
        #expect(result.stderr.hasPrefix("error: bad.yaml:5:1: "))
    }

    @Test func aTypeErrorIsReportedAtItsField() async throws {
        let exchange = try await ExchangeFixture()
        try exchange.write(
            "typed.yaml",
            "apiVersion: giter.example/v1\nkind: Experiment\nmetadata:\n  name: 12\nspec: {}\n"
        )
        let result = try await exchange.giter(["apply", "-f", "typed.yaml"])
        #expect(result.status == 1)
        #expect(result.isOneLineError)
        #expect(result.stderr.hasPrefix("error: typed.yaml:4:9: metadata.name: "))

        try exchange.write("nospec.yaml", "apiVersion: giter.example/v1\nkind: Experiment\nmetadata:\n  name: a\n")
        let noSpec = try await exchange.giter(["apply", "-f", "nospec.yaml"])
        #expect(noSpec.status == 1)
        #expect(noSpec.stderr.hasPrefix("error: nospec.yaml:1:1: the resource has no 'spec'"))
    }

    @Test func aNamespaceThatContradictsTheOptionIsRefused() async throws {
        let exchange = try await ExchangeFixture()
        let result = try await exchange.giter(
            ["apply", "-f", "-", "-n", "lab"],
            stdin: ExchangeFixture.experiment("sort-1", namespace: "other")
        )
        #expect(result.status == 1)
        #expect(result.isOneLineError)
        #expect(result.stderr.contains("namespace \"other\" is not the namespace \"lab\""))
    }

    @Test func aMissingFileIsOneLine() async throws {
        let exchange = try await ExchangeFixture()
        let result = try await exchange.giter(["apply", "-f", "missing.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: missing.yaml: no such file or folder\n")
    }
}
