import Foundation
import GitServerFixtures
import Testing

/// `giter guard pre-receive` as git runs it: real pushes into a bare
/// repository whose hook `giter guard install` wrote, on both backends,
/// over a local path, git daemon, smart HTTP and SSH.
@Suite("giter guard pre-receive")
struct GuardCommandTests {
    static let zero = String(repeating: "0", count: 40)
    static let someID = "1234567890abcdef1234567890abcdef12345678"

    /// A push passes; a push of a commit whose tree the guard must refuse
    /// to read (a symbolic link, only in the quarantine) is rejected with
    /// the hook's lines and leaves the branch where it was — so the guard
    /// read the pushed tree while it was in quarantine.
    @Test(arguments: GuardRemote.allCases, ToolBackend.allCases)
    func readsThePushInQuarantine(remote: GuardRemote, backend: ToolBackend) async throws {
        try await GuardFixture.with(remote, backend: backend) { fixture in
            let clone = try await fixture.clone()
            let accepted = try await fixture.commit(in: clone, file: "notes.txt", content: "a plain file\n")
            let push = try await fixture.push(from: clone)
            #expect(push.succeeded, "\(push)")
            #expect(try await fixture.repository.resolve("refs/heads/main") == accepted)

            _ = try await fixture.commit(in: clone, file: "link", symlinkTo: "/etc/passwd")
            let refused = try await fixture.push(from: clone)
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains("remote: giter: rejected"), "\(refused)")
            #expect(refused.stderr.contains("pre-receive hook declined"), "\(refused)")
            #expect(try await fixture.repository.resolve("refs/heads/main") == accepted)
        }
    }

    /// The same guard, run with the quarantine hidden from it, cannot read
    /// the pushed commit and refuses the push (fail closed).
    @Test(arguments: ToolBackend.allCases, [
        #"unset GIT_QUARANTINE_PATH GIT_ALTERNATE_OBJECT_DIRECTORIES; GIT_OBJECT_DIRECTORY="$PWD/objects"; export GIT_OBJECT_DIRECTORY"#,
        #"GIT_OBJECT_DIRECTORY=/nonexistent/giter-objects; export GIT_OBJECT_DIRECTORY"#,
    ])
    func aGuardThatCannotReadRejects(backend: ToolBackend, setup: String) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            try fixture.replaceHook(hiding: setup)
            let before = try await fixture.repository.resolve("refs/heads/main")
            let clone = try await fixture.clone()
            _ = try await fixture.commit(in: clone, file: "notes.txt", content: "a plain file\n")
            let push = try await fixture.push(from: clone)
            #expect(!push.succeeded)
            #expect(push.stderr.contains("remote: giter: rejected: "), "\(push)")
            #expect(try await fixture.repository.resolve("refs/heads/main") == before)
        }
    }

    /// With only GIT_QUARANTINE_PATH left, the guard still reads the push.
    @Test(arguments: ToolBackend.allCases)
    func theQuarantinePathAloneIsEnough(backend: ToolBackend) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            try fixture.replaceHook(hiding: "unset GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES")
            let clone = try await fixture.clone()
            let commit = try await fixture.commit(in: clone, file: "notes.txt", content: "a plain file\n")
            let push = try await fixture.push(from: clone)
            #expect(push.succeeded, "\(push)")
            #expect(try await fixture.repository.resolve("refs/heads/main") == commit)
        }
    }

    static let malformed: [String] = [
        "garbage\n",
        "\n",
        "\(zero) \(zero) refs/heads/main\n",
        "abc def refs/heads/main\n",
        "\(zero) \(someID.uppercased()) refs/heads/main\n",
        "\(zero) \(someID) main\n",
        "\(zero) \(someID)\n",
        "\(zero)  \(someID) refs/heads/main\n",
        "\(zero) \(someID) refs/heads/with space\n",
        "\(zero) \(someID) refs/heads/\(String(repeating: "x", count: 5_000))\n",
        String(repeating: "\(zero) \(someID) refs/heads/main\n", count: 10_001),
    ]

    /// Input that is not git's `<old> <new> <ref>` lines, or too much of
    /// it, is refused before anything is read.
    @Test(arguments: ToolBackend.allCases, malformed.indices)
    func malformedInputIsRejected(backend: ToolBackend, index: Int) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            let result = try await fixture.giter(
                ["guard", "pre-receive", "--backend", backend.rawValue], stdin: Self.malformed[index],
                environment: ["GIT_DIR": fixture.repository.path])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("giter: rejected: "), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    /// A commit the repository does not have cannot be judged: rejected.
    @Test(arguments: ToolBackend.allCases)
    func aMissingCommitIsRejected(backend: ToolBackend) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            let main = try #require(try await fixture.repository.resolve("refs/heads/main"))
            let result = try await fixture.giter(
                ["guard", "pre-receive", "--backend", backend.rawValue], stdin: "\(main) \(Self.someID) refs/heads/main\n",
                environment: ["GIT_DIR": fixture.repository.path])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("giter: rejected: "), "\(result.stderr)")
        }
    }
}
