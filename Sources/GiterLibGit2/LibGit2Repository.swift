#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Giter
import GiterLocalGit

/// Reads an existing repository on this machine with libgit2 — typically a
/// server's bare repository, from its `pre-receive` hook, while the pushed
/// objects are still in quarantine.
///
/// Honours the variables Git gives a hook (``ObjectDirectories`` in the
/// backend's rules): `GIT_OBJECT_DIRECTORY` replaces the repository's own
/// object folder, `GIT_ALTERNATE_OBJECT_DIRECTORIES` (`:`-separated,
/// entries possibly C-quoted) and `GIT_QUARANTINE_PATH` add folders to read
/// from. The reads are the ones ``LibGit2Transport`` does over its mirror
/// (one implementation); like it, every libgit2 call runs on a serial
/// dispatch queue of its own, never on Swift's cooperative pool. Nothing
/// is written.
///
/// ```swift
/// // In a pre-receive hook: the working directory is the repository.
/// let reader = try LibGit2Repository(path: ".")
/// let tip = try await reader.resolve("refs/heads/main")
/// ```
public final class LibGit2Repository: RepositoryReader {
    /// The repository's folder, as given.
    public let path: String
    private let queue: MirrorQueue

    /// Opens the existing repository at `path` (a bare repository or a
    /// `.git` folder; no search upwards) for reading. Opening reads a few
    /// small files on the calling thread.
    ///
    /// - Parameters:
    ///   - path: The repository's folder; relative to the working directory.
    ///   - environment: Where `GIT_OBJECT_DIRECTORY`,
    ///     `GIT_ALTERNATE_OBJECT_DIRECTORIES` and `GIT_QUARANTINE_PATH` are
    ///     read (relative paths in them are taken from the working
    ///     directory, as Git does); other variables are ignored.
    /// - Throws: `TransportError` with code `repositoryNotFound` when there
    ///   is no repository at `path`, `invalidArgument` when an object
    ///   folder the environment names is missing or badly quoted, `backend`
    ///   when libgit2 cannot open it.
    public init(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let objects = try ObjectDirectories(
            environment: environment, workingDirectory: FileManager.default.currentDirectoryPath)
        self.path = path
        let repository = try Repository.openForReading(at: path, objects: objects)
        queue = MirrorQueue(label: "giter.libgit2.reader \(path)", repository: repository)
    }

    public func resolve(_ reference: String) async throws -> ObjectID? {
        try await queue.run { (repository) throws(TransportError) in
            try repository.resolve(reference)
        }
    }

    public func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.treeEntries(at: commit, under: prefix)
        }
    }

    public func blob(_ id: ObjectID) async throws -> [UInt8] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.blobContents(id)
        }
    }

    public func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.blobContents(ids)
        }
    }

    public func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.changes(from: old, to: new, under: prefix)
        }
    }

    public func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.commits(from: new, excluding: old, limit: limit)
        }
    }

    public func commitObject(_ id: ObjectID) async throws -> CommitObject {
        try await queue.run { (repository) throws(TransportError) in
            try repository.commitObject(id)
        }
    }

    /// The last value of the setting `name` (`section.key`, as
    /// `giter.branch`) in the repository's own configuration file (no
    /// system or global file is read); nil when unset, "" for a bare key.
    public func configurationValue(_ name: String) async throws -> String? {
        try await queue.run { (repository) throws(TransportError) in
            try repository.configurationValue(name)
        }
    }

    /// The full ref name `HEAD` points at (`refs/heads/main`); nil when
    /// `HEAD` is detached or missing.
    public func headReference() async throws -> String? {
        try await queue.run { (repository) throws(TransportError) in
            try repository.headReference()
        }
    }
}
