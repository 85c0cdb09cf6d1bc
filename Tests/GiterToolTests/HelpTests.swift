import Foundation
import Testing

/// `--help` on every command, with examples.
@Suite("giter --help")
struct HelpTests {
    static let commands = ["init", "apply", "get", "describe", "wait", "history", "archive", "delete", "convert", "verify"]
    /// Commands run on a server, not against an exchange: no exchange options.
    static let serverCommands = ["guard"]

    @Test(arguments: commands)
    func everyCommandHasHelpWithExamples(_ command: String) async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: giter \(command)"))
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains(command == "convert" ? "exit status" : "Exit status:"))
        if command != "convert" {
            for option in ["--remote", "--branch", "--backend", "--identity", "--namespace", "--cache"] {
                #expect(result.stdout.contains(option), "\(command) --help lacks \(option)")
            }
        }
    }

    @Test func theRootListsEveryCommand() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["--help"])
        #expect(result.status == 0)
        for command in Self.commands + Self.serverCommands {
            #expect(result.stdout.contains("  \(command)"), "giter --help lacks \(command)")
        }
    }

    @Test func anUnknownOptionIsAUsageError() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["get", "--no-such-option"])
        #expect(result.status == 64)
    }
}
