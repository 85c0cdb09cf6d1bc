public import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A bare repository on disk, the kind a server exports.
///
/// It is built and inspected only with git plumbing: there is no working tree.
/// Pushes to it are checked with `receive.fsckObjects=true`.
public struct BareRepository: Sendable {
    /// The repository's folder, for example `…/repos/exchange.git`.
    public let url: URL
    /// The environment used for git commands on this repository.
    public let environment: GitEnvironment

    /// The repository's folder as a path.
    public var path: String {
        url.path
    }

    /// The repository's name as used in server URLs: its folder name
    /// (`exchange.git`).
    public var name: String {
        url.lastPathComponent
    }

    /// Wraps an existing bare repository without checking it.
    public init(url: URL, environment: GitEnvironment = .isolated) {
        self.url = url
        self.environment = environment
    }

    /// Creates a bare repository at `url` with default branch `main`.
    ///
    /// - Parameters:
    ///   - url: The repository's folder; it must not exist yet, or be empty.
    ///   - seeded: Whether `main` gets an initial commit (one file, `README`).
    ///   - environment: The environment for git commands.
    public static func create(
        at url: URL,
        seeded: Bool = true,
        environment: GitEnvironment = .isolated
    ) async throws -> BareRepository {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let repository = BareRepository(url: url, environment: environment)
        try await repository.git(["init", "--quiet", "--bare", "-b", "main", url.path])
        try await repository.git(["config", "receive.fsckObjects", "true"])
        // Partial fetches (Documentation/PartialFetch.md): filters, and wants by id over protocol version 0.
        try await repository.git(["config", "uploadpack.allowFilter", "true"])
        try await repository.git(["config", "uploadpack.allowReachableSHA1InWant", "true"])
        if seeded {
            _ = try await repository.commit(
                files: ["README": "Seeded by GitServerFixtures.\n"],
                message: "Initial commit",
                onto: "refs/heads/main"
            )
        }
        return repository
    }

    /// Writes a commit of `files` (a flat tree: name to content) whose parent is
    /// the current value of `ref` (if any), moves `ref` to it, and returns its id.
    ///
    /// Built with plumbing: `hash-object`, `mktree`, `commit-tree`, `update-ref`.
    @discardableResult
    public func commit(files: [String: String], message: String, onto ref: String) async throws -> String {
        var treeListing = ""
        for (name, content) in files.sorted(by: { $0.key < $1.key }) {
            let blob = try await git(["hash-object", "-w", "--stdin"], input: Data(content.utf8)).trimmedStdout
            treeListing += "100644 blob \(blob)\t\(name)\n"
        }
        let tree = try await git(["mktree"], input: Data(treeListing.utf8)).trimmedStdout
        var arguments = ["commit-tree", tree, "-m", message]
        let parent = try await resolve(ref)
        if let parent {
            arguments += ["-p", parent]
        }
        let commit = try await git(arguments).trimmedStdout
        try await git(["update-ref", ref, commit, parent ?? String(repeating: "0", count: 40)])
        return commit
    }

    /// The object id `revision` resolves to (`git rev-parse --verify`), or `nil`
    /// when it does not exist.
    public func resolve(_ revision: String) async throws -> String? {
        let output = try await runGit(
            ["rev-parse", "--verify", "--quiet", revision + "^{commit}"],
            in: url,
            environment: environment
        )
        return output.succeeded ? output.trimmedStdout : nil
    }

    /// Every ref and the object it points to (`git for-each-ref`).
    public func refs() async throws -> [String: String] {
        let output = try await git(["for-each-ref", "--format=%(objectname) %(refname)"])
        var refs: [String: String] = [:]
        for line in output.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 {
                refs[String(parts[1])] = String(parts[0])
            }
        }
        return refs
    }

    /// Installs `script` as the repository's `pre-receive` hook (mode 0755).
    ///
    /// The script needs a shebang line, for example `#!/bin/sh`. It reads
    /// `OLD NEW REF` lines on standard input; a non-zero exit rejects the push
    /// and what it prints to standard error reaches the client as `remote:` lines.
    public func installPreReceiveHook(_ script: String) throws {
        try installHook(named: "pre-receive", script: script)
    }

    /// Installs `script` as the hook `name` (mode 0755): written under a
    /// name of its own with a descriptor no spawned process inherits
    /// (`O_CLOEXEC`), then renamed into place. A hook file still open for
    /// writing in some process cannot be executed (`ETXTBSY`), and
    /// receive-pack then declines the push without the hook's message: a
    /// process that a parallel test spawned while the file was open kept
    /// a copy of the descriptor.
    public func installHook(named name: String, script: String) throws {
        let hooks = url.appendingPathComponent("hooks", isDirectory: true)
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        let file = hooks.appendingPathComponent(name)
        let staging = hooks.appendingPathComponent(".\(name).\(UUID().uuidString)")
        let descriptor = open(staging.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw FixtureError("cannot create \(staging.path): errno \(errno)") }
        let bytes = Array(script.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(staging.path, file.path) == 0 else {
            unlink(staging.path)
            throw FixtureError("cannot write the hook \(file.path): errno \(errno)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }

    /// Runs a git command inside the repository and throws on failure.
    @discardableResult
    public func git(_ arguments: [String], input: Data? = nil) async throws -> ProcessOutput {
        try await runGitChecked(arguments, in: url, environment: environment, input: input)
    }
}
