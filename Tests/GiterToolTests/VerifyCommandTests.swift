import Foundation
import GitServerFixtures
import Giter
import Testing

/// `giter verify`: every commit of the branch judged by the contract in
/// force at its parent, as readers and the server's guard judge it.
@Suite("giter verify")
struct VerifyCommandTests {
    @Test(arguments: ToolBackend.allCases)
    func anOpenExchangeVerifiesAndSaysRolesAreNotEnforced(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        try await exchange.writeStatus("sort-1")

        let result = try await exchange.giter(["verify"])
        #expect(result.status == 0)
        expectClean(result, commits: 2)
        #expect(
            result.stderr.contains(
                "note: no .giter/policy.yaml in force: roles are not enforced (an open exchange)"
            )
        )
        // On every run.
        let again = try await exchange.giter(["verify"])
        #expect(again.stderr.contains("roles are not enforced"))
    }

    @Test(arguments: ToolBackend.allCases)
    func aConsumerForgingASpecWithPlainGitIsAViolation(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture.withPolicy(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        try await exchange.writeStatus("sort-1")

        let clean = try await exchange.giter(["verify"])
        #expect(clean.stderr == "")
        expectClean(clean, commits: 3)
        #expect(clean.status == 0)

        let path = try await exchange.experimentPath("sort-1")
        var forgedText = ""
        let forged = try await exchange.commitWithGit(
            author: "Testbed <\(ExchangeFixture.consumerEmail)>",
            message: "A bigger experiment"
        ) { folder in
            let file = folder.appendingPathComponent(path)
            forgedText = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
                of: "size: 1000",
                with: "size: 99999"
            )
            try Data(forgedText.utf8).write(to: file)
        }
        let specLine = try #require(forgedText.split(separator: "\n").firstIndex { $0.hasPrefix("spec:") }) + 1

        let result = try await exchange.giter(["verify"])
        #expect(result.status == 1)
        #expect(
            result.lines.filter { !isCommitLine($0) } == [
                "\(forged) \(path):\(specLine):1: role: a consumer writes only status; it changed spec",
                "verified 4 commits: 1 violations",
            ]
        )
        #expect(result.stderr == "")

        // --from trusts the state at a commit: the forge itself, abbreviated.
        let after = try await exchange.giter(["verify", "--from", String(forged.prefix(8))])
        #expect(after.status == 0)
        expectClean(after, commits: 0)
        // --to stops before it.
        let parent = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main~1"]).trimmedStdout
        let before = try await exchange.giter(["verify", "--to", parent])
        #expect(before.status == 0)
        expectClean(before, commits: 3)
    }

    @Test func jsonOutputListsEachViolationWithItsPlace() async throws {
        let exchange = try await ExchangeFixture.withPolicy()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let forged = try await exchange.commitWithGit(
            author: "Mallory <mallory@example.com>",
            message: "Not a member"
        ) { folder in
            try Data("notes\n".utf8).write(to: folder.appendingPathComponent("NOTES.txt"))
        }
        let result = try await exchange.giter(["verify", "-o", "json"])
        #expect(result.status == 1)
        #expect(result.stderr == "verified 3 commits: 1 violations\n")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        let items = try #require(parsed)
        try #require(items.count == 1)
        #expect(items[0]["commit"] as? String == forged)
        #expect(items[0]["path"] is NSNull)
        #expect(items[0]["rule"] as? String == "not-a-member")
        #expect(items[0]["message"] as? String == "mallory@example.com is a member of no party of .giter/policy.yaml")
        #expect(items[0]["line"] is NSNull)
        #expect(items[0]["column"] is NSNull)
    }

    @Test func aHistoryFromAnotherRootIsRefused() async throws {
        let exchange = try await ExchangeFixture.withPolicy()
        let other = try await ExchangeFixture()
        let root = try await runGitChecked(["--git-dir", exchange.remote, "rev-list", "--max-parents=0", "main"])
            .trimmedStdout

        let trusted = try await exchange.giter(["verify", "--trust-root", root])
        #expect(trusted.status == 0)
        expectClean(trusted, commits: 1)

        let foreign = try await other.giter(["verify", "--trust-root", root])
        #expect(foreign.status == 1)
        #expect(foreign.isOneLineError)
        #expect(foreign.stderr.contains("does not descend from the trust root \(root)"))
        #expect(foreign.stdout == "")
    }

    @Test func aRevisionThatNamesNothingIsAUsageError() async throws {
        let exchange = try await ExchangeFixture()
        let result = try await exchange.giter(["verify", "--from", "no-such-thing"])
        #expect(result.status == 64)
        #expect(result.isOneLineError)
        #expect(result.stderr.contains("'no-such-thing' names no commit"))
    }
}

/// Whether `line` is one of `giter verify`'s per-commit lines (12 digits, two spaces).
func isCommitLine(_ line: String) -> Bool {
    line.count > 14 && line.prefix(12).allSatisfy(\.isHexDigit) && line.dropFirst(12).hasPrefix("  ")
}

/// Expects `giter verify`'s output for `commits` unsigned commits and no violation.
func expectClean(
    _ result: GiterProcess.Result, commits: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    #expect(result.lines.last == "verified \(commits) commits: 0 violations", "\(result.stdout)", sourceLocation: sourceLocation)
    let lines = result.lines.dropLast()
    #expect(lines.count == commits && lines.allSatisfy { isCommitLine($0) && $0.hasSuffix("  unsigned") }, "\(result.stdout)",
        sourceLocation: sourceLocation)
}
