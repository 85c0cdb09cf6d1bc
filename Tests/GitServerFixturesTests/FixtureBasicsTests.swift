import Foundation
import GitServerFixtures
import Testing

/// The building blocks: temporary directories, bare repositories, ports,
/// lifecycle rules.
@Suite("Fixture building blocks")
struct FixtureBasicsTests {
    @Test("A temporary directory is removed by remove() and on release")
    func temporaryDirectory() throws {
        let directory = try TemporaryDirectory(prefix: "giter-basics")
        let path = directory.path
        try directory.makeDirectory("a/b")
        try Data("x".utf8).write(to: directory.appending("a/b/file"))
        #expect(path.hasPrefix(URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path))
        directory.remove()
        #expect(!FileManager.default.fileExists(atPath: path))
        directory.remove()

        var released: TemporaryDirectory? = try TemporaryDirectory(prefix: "giter-basics")
        let releasedPath = try #require(released?.path)
        #expect(FileManager.default.fileExists(atPath: releasedPath))
        released = nil
        #expect(!FileManager.default.fileExists(atPath: releasedPath))
    }

    @Test("The isolated environment ignores the machine's git configuration")
    func isolatedEnvironment() async throws {
        let base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "GIT_DIR": "/nonexistent", "HOME": "/nonexistent"]
        let environment = GitEnvironment(name: "Ada", email: "ada@example.invalid", base: base)
        #expect(environment.variables["GIT_DIR"] == nil)
        #expect(environment.variables["GIT_CONFIG_NOSYSTEM"] == "1")
        #expect(environment.variables["GIT_CONFIG_GLOBAL"] == "/dev/null")
        #expect(environment.variables["GIT_TERMINAL_PROMPT"] == "0")
        #expect(environment.variables["LC_ALL"] == "C")
        let identity = try await runGitChecked(["var", "GIT_COMMITTER_IDENT"], environment: environment)
        #expect(identity.stdout.hasPrefix("Ada <ada@example.invalid> "))
        let branch = try await runGitChecked(["config", "init.defaultBranch"], environment: environment)
        #expect(branch.trimmedStdout == "main")
        let failed = try await runGit(["rev-parse", "--verify", "refs/heads/none"], environment: environment)
        #expect(!failed.succeeded)
    }

    @Test("A bare repository: seeded main, plumbing commits, refs, hooks")
    func bareRepository() async throws {
        let root = try TemporaryDirectory(prefix: "giter-basics")
        let empty = try await BareRepository.create(at: root.appending("empty.git"), seeded: false)
        #expect(try await empty.resolve("refs/heads/main") == nil)
        #expect(try await empty.refs().isEmpty)
        let head = try await empty.git(["symbolic-ref", "HEAD"])
        #expect(head.trimmedStdout == "refs/heads/main")
        #expect(try await empty.git(["config", "receive.fsckObjects"]).trimmedStdout == "true")
        #expect(try await empty.git(["rev-parse", "--is-bare-repository"]).trimmedStdout == "true")

        let seeded = try await BareRepository.create(at: root.appending("seeded.git"))
        let first = try #require(try await seeded.resolve("refs/heads/main"))
        let second = try await seeded.commit(files: ["a.txt": "a\n"], message: "Second", onto: "refs/heads/main")
        #expect(try await seeded.resolve("refs/heads/main") == second)
        #expect(try await seeded.git(["rev-parse", second + "^"]).trimmedStdout == first)
        #expect(try await seeded.git(["cat-file", "-p", second + ":a.txt"]).stdout == "a\n")
        #expect(try await seeded.refs() == ["refs/heads/main": second])
        try await seeded.git(["fsck", "--strict"])

        try seeded.installPreReceiveHook("#!/bin/sh\nexit 1\n")
        let hook = seeded.url.appendingPathComponent("hooks/pre-receive").path
        #expect(FileManager.default.isExecutableFile(atPath: hook))
    }

    @Test("Free ports are distinct from listening ones; a closed port refuses")
    func ports() throws {
        let port = try LoopbackPort.free()
        #expect((1...65535).contains(port))
        #expect(!LoopbackPort.isAccepting(port))
    }

    @Test("A server that is not running has no port or URL; stop() is harmless")
    func notRunning() async throws {
        let server = try GitDaemonServer()
        #expect(server.port == nil)
        #expect(throws: FixtureError.self) { try server.url(for: "x") }
        #expect(throws: FixtureError.self) { try server.clientEnvironment() }
        await server.stop()
        await server.stop()
    }

    @Test("A scoped helper stops the server when the body throws", ServerAvailability.enabled(.gitDaemon))
    func stopsOnError() async throws {
        struct Planned: Error {}
        let server = try GitDaemonServer()
        var port: Int?
        await #expect(throws: Planned.self) {
            try await withStartedServer(server) { server in
                port = server.port
                throw Planned()
            }
        }
        let stoppedPort = try #require(port)
        #expect(server.port == nil)
        #expect(!LoopbackPort.isAccepting(stoppedPort))
    }

    @Test("A server can be started again after stop()", ServerAvailability.enabled(.gitDaemon))
    func restart() async throws {
        let server = try GitDaemonServer()
        _ = try await server.createRepository(named: "again")
        for _ in 0..<2 {
            try await withStartedServer(server) { server in
                let output = try await runGit(["ls-remote", try server.url(for: "again")])
                #expect(output.succeeded, "\(output)")
            }
        }
    }

    @Test("Availability: a missing program gives FixtureUnavailable with the package")
    func unavailable() throws {
        #expect(ExecutableLocator.find("giter-no-such-program") == nil)
        let error = #expect(throws: FixtureUnavailable.self) {
            try ExecutableLocator.require("giter-no-such-program", package: "giter-package")
        }
        #expect(error?.reason.contains("giter-package") == true)
        for kind in ServerKind.allCases {
            #expect(kind.isAvailable == (kind.unavailableReason == nil))
        }
    }
}
