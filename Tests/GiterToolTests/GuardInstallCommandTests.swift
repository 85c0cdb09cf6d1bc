import Foundation
import GitServerFixtures
import Testing

/// `giter guard install`: where it writes the hook, what the hook runs,
/// and which hooks it leaves alone.
@Suite("giter guard install")
struct GuardInstallCommandTests {
    static let foreignHook = "#!/bin/sh\n# the team's own checks\nexit 0\n"

    @Test(arguments: ToolBackend.allCases)
    func theHookRunsThisGiterWithTheBackend(backend: ToolBackend) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            let script = try String(contentsOf: fixture.hook, encoding: .utf8)
            let executable = try GiterProcess.executable().resolvingSymlinksInPath().path
            #expect(script.hasPrefix("#!/bin/sh\n"))
            #expect(script.contains("exec '\(executable)' guard pre-receive --backend \(backend.rawValue)"), "\(script)")
            #expect(FileManager.default.isExecutableFile(atPath: fixture.hook.path))
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aForeignHookIsReplacedOnlyWithForce(backend: ToolBackend) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            try fixture.repository.installPreReceiveHook(Self.foreignHook)
            let arguments = ["guard", "install", "--repository", fixture.repository.path, "--backend", backend.rawValue]
            let refused = try await fixture.giter(arguments)
            #expect(refused.status == 1)
            #expect(refused.isOneLineError, "\(refused.stderr)")
            #expect(refused.stderr.contains("--force"), "\(refused.stderr)")
            #expect(try String(contentsOf: fixture.hook, encoding: .utf8) == Self.foreignHook)

            let forced = try await fixture.giter(arguments + ["--force"])
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(forced.stdout.hasPrefix("replaced the pre-receive hook \(fixture.hook.path)"), "\(forced.stdout)")
            #expect(try String(contentsOf: fixture.hook, encoding: .utf8).contains("guard pre-receive"))
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func itsOwnHookIsReplaced(backend: ToolBackend) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            let other: ToolBackend = backend == .git ? .libgit2 : .git
            let result = try await fixture.giter(
                ["guard", "install", "--repository", fixture.repository.path, "--backend", other.rawValue])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("replaced the pre-receive hook \(fixture.hook.path)"), "\(result.stdout)")
            #expect(try String(contentsOf: fixture.hook, encoding: .utf8).contains("--backend \(other.rawValue)"))
        }
    }

    /// With core.hooksPath set, the hook goes where git looks for it, and
    /// git runs it.
    @Test(arguments: ToolBackend.allCases, ["guard-hooks", "ABSOLUTE"])
    func coreHooksPathIsRespected(backend: ToolBackend, configured: String) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            let absolute = fixture.scratch.appending("shared-hooks", isDirectory: true).path
            let value = configured == "ABSOLUTE" ? absolute : configured
            let folder = configured == "ABSOLUTE" ? absolute : fixture.repository.path + "/" + configured
            try FileManager.default.removeItem(at: fixture.hook)
            try await fixture.repository.git(["config", "core.hooksPath", value])
            let result = try await fixture.giter(
                ["guard", "install", "--repository", fixture.repository.path, "--backend", backend.rawValue])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("installed the pre-receive hook \(folder)/pre-receive"), "\(result.stdout)")
            #expect(FileManager.default.isExecutableFile(atPath: folder + "/pre-receive"))
            #expect(!FileManager.default.fileExists(atPath: fixture.hook.path))

            let before = try await fixture.repository.resolve("refs/heads/main")
            let clone = try await fixture.clone()
            _ = try await fixture.commit(in: clone, file: "link", symlinkTo: "/etc/passwd")
            let push = try await fixture.push(from: clone)
            #expect(push.stderr.contains("remote: giter: rejected"), "\(push)")
            #expect(try await fixture.repository.resolve("refs/heads/main") == before)
        }
    }

    @Test func aFolderThatIsNotARepositoryIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["guard", "install", "--repository", directory.url.path])
        #expect(result.status == 1)
        #expect(result.isOneLineError, "\(result.stderr)")
        #expect(result.stderr.contains("is not a Git repository"))
    }
}
