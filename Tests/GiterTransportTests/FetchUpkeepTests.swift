import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
import GiterLocalGit
import Testing

/// `git fetch` starts `git maintenance run --auto` after its work; the git
/// CLI backend turns that off for a fetch when the mirror's loose objects
/// and packs say it would do nothing, and leaves it on otherwise.
@Suite("Fetch upkeep of the git CLI backend's mirror")
struct FetchUpkeepTests {
    @Test("a tidy mirror's fetch skips git's maintenance check; a mirror with enough loose objects gets it")
    func maintenanceRunsOnlyWhenTheMirrorMayNeedIt() async throws {
        try await withRemote(.gitDaemon, seeded: true) { remote in
            // A git that writes down each command (after the backend's global options) and whether it was told
            // `maintenance.auto=false`.
            let log = remote.scratch.appendingPathComponent("commands.log").path
            let wrapper = remote.scratch.appendingPathComponent("git-recording").path
            let git = try ExecutableLocator.require("git", package: "git")
            let script = """
                #!/bin/sh
                line="${\(GitRunner.globalOptions.count + 1)}"
                i=0
                while [ "$i" -lt "${GIT_CONFIG_COUNT:-0}" ]; do
                    eval "key=\\$GIT_CONFIG_KEY_$i value=\\$GIT_CONFIG_VALUE_$i"
                    [ "$key" = maintenance.auto ] && line="$line maintenance.auto=$value"
                    i=$((i + 1))
                done
                printf '%s\\n' "$line" >> \(GitCLITransport.shellQuoted(log))
                exec \(GitCLITransport.shellQuoted(git)) "$@"

                """
            #expect(FileManager.default.createFile(atPath: wrapper, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755]))
            func fetchLines() -> [String] {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                    .filter { $0.hasPrefix("fetch") }
            }

            let configuration = remote.configuration(mirror: "upkeep")
            let transport = try await GitCLITransport(configuration: configuration, gitPath: wrapper)
            let seed = try #require(try await transport.fetch())
            #expect(fetchLines() == ["fetch maintenance.auto=false"])
            let mirror = LocalRepository(folder: configuration.mirrorPath)
            #expect(mirror.packCount == 0, "a small fetch leaves its objects loose")

            // More loose objects in `objects/17` than `git gc --auto` allows (6,700 ÷ 256, rounded up: 27).
            let sample = configuration.mirrorPath + "/objects/17"
            try FileManager.default.createDirectory(atPath: sample, withIntermediateDirectories: true)
            for index in 0..<28 {
                let name = String(repeating: "0", count: 30) + String(format: "%08x", index)
                #expect(FileManager.default.createFile(atPath: sample + "/" + name, contents: Data("x".utf8)))
            }
            // git's gc runs inside the fetch, not detached, so that its pack is there when the fetch returns.
            let configured = try await ProcessRunner.run(
                git, ["--git-dir", configuration.mirrorPath, "config", "gc.autoDetach", "false"],
                environment: GitEnvironment.isolated.variables)
            #expect(configured.succeeded, "\(configured)")

            let writer = try await GitCLITransport(configuration: remote.configuration(mirror: "writer"))
            let base = try #require(try await writer.fetch())
            #expect(base == seed)
            let next = try await writer.createCommit(
                CommitRequest(
                    parent: base, edits: [.write(path: "ns/a.yaml", contents: fileContents("a: 1\n"))], author: testAuthor,
                    message: "Next"))
            #expect(try await writer.push(next, expecting: base) == .pushed(next))
            #expect(try await transport.fetch() == next)
            #expect(fetchLines() == ["fetch maintenance.auto=false", "fetch"])
            #expect(mirror.packCount == 1, "git gc --auto packed the mirror's objects during the fetch")
            #expect(try await transport.resolve("refs/remotes/origin/main") == next)
        }
    }
}
