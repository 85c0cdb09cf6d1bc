import Foundation
import Testing

/// `--help` on every command, with examples.
@Suite("giter --help")
struct HelpTests {
    static let commands = ["init", "apply", "get", "describe", "wait", "history", "archive", "delete", "convert", "verify"]
    /// Commands run on a server, not against an exchange: no exchange options.
    static let serverCommands = ["guard", "unlock"]

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

    /// `giter unlock` takes the repository and the branch, and says when it refuses.
    @Test func unlockHasHelpWithExamples() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["unlock", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: giter unlock"))
        #expect(result.stdout.contains("Examples:") && result.stdout.contains("Exit status:"))
        for option in ["--remote", "--branch", "--force"] {
            #expect(result.stdout.contains(option), "unlock --help lacks \(option)")
        }
    }

    @Test func anUnknownOptionIsAUsageError() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["get", "--no-such-option"])
        #expect(result.status == 64)
    }

    /// The completion scripts CLI.md documents: they name the commands, and
    /// the values of `-o` and `--backend`.
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsCompleteCommandsAndValues(_ shell: String) async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["--generate-completion-script", shell])
        #expect(result.status == 0, "\(result)")
        for word in ["apply", "get", "watch-only", "custom-columns=", "libgit2"] {
            #expect(result.stdout.contains(word), "the \(shell) script lacks \(word)")
        }
    }
}
