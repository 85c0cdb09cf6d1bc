import Foundation
public import Giter
import GiterLocalGit

/// Reads an existing repository on this machine with the `git` executable —
/// typically a server's bare repository, from its `pre-receive` hook, while
/// the pushed objects are still in quarantine.
///
/// Honours the variables Git gives a hook: `GIT_OBJECT_DIRECTORY`,
/// `GIT_ALTERNATE_OBJECT_DIRECTORIES` (`:`-separated, entries possibly
/// C-quoted) and `GIT_QUARANTINE_PATH` are read once, checked, and passed
/// on to every `git` this reader runs (nothing else of the environment is,
/// besides `PATH` and `HOME`: no system or global git configuration). The
/// reads are the ones ``GitCLITransport`` does over its mirror (one
/// implementation): objects through one long-lived `git cat-file --batch`,
/// listings and diffs one process each. Nothing is written.
///
/// ```swift
/// // In a pre-receive hook: the working directory is the repository.
/// let reader = try await GitCLIRepository(path: ".", environment: ProcessInfo.processInfo.environment)
/// let tip = try await reader.resolve("refs/heads/main")
/// ```
public struct GitCLIRepository: RepositoryReader {
    /// The repository's folder, absolute.
    public let path: String
    let reads: GitObjectReader

    /// Opens the existing repository at `path` (a bare repository or a
    /// `.git` folder) for reading.
    ///
    /// - Parameters:
    ///   - path: The repository's folder; relative to the working directory.
    ///   - environment: Where `GIT_OBJECT_DIRECTORY`,
    ///     `GIT_ALTERNATE_OBJECT_DIRECTORIES` and `GIT_QUARANTINE_PATH` are
    ///     read (relative paths in them are taken from the working
    ///     directory, as Git does); other variables are ignored.
    ///   - gitPath: The git executable; `nil` looks `git` up in `PATH`.
    /// - Throws: `TransportError` with code `repositoryNotFound` when
    ///   `path` does not hold a repository, `invalidArgument` when an object
    ///   folder the environment names is missing or badly quoted, `backend`
    ///   when git cannot be found.
    public init(path: String, environment: [String: String], gitPath: String? = nil) async throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard LocalRepository(folder: absolute).hasRepositoryLayout else {
            throw TransportError(.repositoryNotFound, "there is no Git repository at \(absolute)")
        }
        let objects = try ObjectDirectories(
            environment: environment, workingDirectory: FileManager.default.currentDirectoryPath)
        let runner = try await GitRunner(
            gitPath: gitPath, mirrorPath: absolute, objectEnvironment: objects.gitEnvironment)
        self.path = absolute
        reads = GitObjectReader(runner: runner, objects: CatFileBatch(runner: runner))
    }

    public func resolve(_ reference: String) async throws -> ObjectID? {
        try await reads.resolve(reference)
    }

    public func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await reads.treeEntries(at: commit, under: prefix)
    }

    public func blob(_ id: ObjectID) async throws -> [UInt8] {
        try await reads.blob(id)
    }

    public func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        try await reads.blobs(ids)
    }

    public func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await reads.changes(from: old, to: new, under: prefix)
    }

    public func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await reads.commits(from: new, excluding: old, limit: limit)
    }

    public func commitObject(_ id: ObjectID) async throws -> CommitObject {
        try await reads.commitObject(id)
    }

    /// The last value of the setting `name` (`section.key`, as
    /// `giter.branch`) in the repository's own configuration (no system or
    /// global file is read); nil when unset, "" for a bare key.
    public func configurationValue(_ name: String) async throws -> String? {
        let result = try await reads.runner.run(["config", "--get", "--end-of-options", name])
        switch result.exitCode {
        case 0: return result.outputText
        case 1: return nil
        default: throw GitFailure.error(for: result, command: "config", remote: nil)
        }
    }

    /// The full ref name `HEAD` points at (`refs/heads/main`); nil when
    /// `HEAD` is detached or missing.
    public func headReference() async throws -> String? {
        let result = try await reads.runner.run(["symbolic-ref", "--quiet", "HEAD"])
        return result.succeeded && !result.outputText.isEmpty ? result.outputText : nil
    }
}
