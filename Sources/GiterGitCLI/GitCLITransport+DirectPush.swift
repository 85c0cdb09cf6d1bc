#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Giter
import Synchronization

/// How a push reached the remote.
enum PushRoute: Sendable {
    /// Objects copied into a repository on this machine, then `git update-ref` (compare-and-swap) there.
    case direct
    /// `git push --force-with-lease`.
    case receivePack
}

/// Counts the pushes of a transport by route.
final class PushRouteCounter: Sendable {
    private let counts = Mutex((direct: 0, receivePack: 0))

    func record(_ route: PushRoute) {
        counts.withLock { counts in
            switch route {
            case .direct: counts.direct += 1
            case .receivePack: counts.receivePack += 1
            }
        }
    }

    /// Pushes copied directly into a repository on this machine.
    var direct: Int { counts.withLock { $0.direct } }
    /// Pushes through `git push`.
    var receivePack: Int { counts.withLock { $0.receivePack } }
}

/// The settings read from a remote's configuration file, kept while the
/// file is unchanged (same inode, size and modification time).
final class RemoteSettingsCache: Sendable {
    struct Stamp: Equatable, Sendable {
        var inode: UInt64
        var size: Int64
        var seconds: Int
        var nanoseconds: Int
    }

    private let entry = Mutex<(file: String, stamp: Stamp, settings: [String: String?])?>(nil)

    func settings(file: String, stamp: Stamp) -> [String: String?]? {
        entry.withLock { entry in
            guard let entry, entry.file == file, entry.stamp == stamp else { return nil }
            return entry.settings
        }
    }

    func store(file: String, stamp: Stamp, settings: [String: String?]) {
        entry.withLock { $0 = (file, stamp, settings) }
    }

    static func stamp(_ file: String) -> Stamp? {
        var status = stat()
        guard stat(file, &status) == 0 else { return nil }
        return Stamp(
            inode: UInt64(status.st_ino), size: Int64(status.st_size), seconds: Int(status.st_mtim.tv_sec),
            nanoseconds: Int(status.st_mtim.tv_nsec))
    }
}

extension GitCLITransport {
    /// Pushes `commit` into a bare repository on this machine without
    /// `git push`, when ``ReceivePolicy`` says receive-pack would do nothing
    /// more than check the objects in and move the ref:
    ///
    /// 1. the remote branch is read from its ref file (or `packed-refs`):
    ///    not at `expected` → `.conflict`, nothing written;
    /// 2. the objects this transport wrote for `commit` (a commit made by
    ///    ``createCommit(_:)`` on top of `expected`) are copied as loose
    ///    object files into the remote, each written to a temporary file,
    ///    fsynced, linked into place and its folder fsynced;
    /// 3. `update refs/heads/<branch> <commit> <expected>` in a transaction
    ///    of a long-lived `git update-ref --stdin` running in the remote: a
    ///    compare-and-swap under the ref's lock file, the one receive-pack
    ///    takes, so a concurrent push of either kind wins or loses cleanly.
    ///    A lost swap is `.conflict`. The mirror's tracking ref then moves
    ///    through a second long-lived `update-ref --stdin`, in the mirror.
    ///
    /// Returns nil, having written nothing, when the push must go through
    /// `git push`: a network remote, no `expected`, a repository that is not
    /// bare, a policy that asks for receive-pack, a symbolic branch ref, or
    /// (the remote being at `expected`) a commit this transport did not
    /// write on top of `expected` or whose objects are no longer loose
    /// files in the mirror.
    func pushDirectly(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome? {
        guard let expected, let folder = Self.localRepositoryFolder(configuration.url) else { return nil }
        guard let policy = try await receivePolicy(folder: folder), policy.receivePackReason == nil else { return nil }
        let branch = configuration.localReference
        switch Self.readReference(branch, in: folder) {
        case .unreadable:
            return nil
        case .missing:
            return .conflict(message: "\(branch) is at nothing (missing) on the remote, expected \(expected.hex)")
        case .value(let current) where current != expected.hex:
            return .conflict(message: "\(branch) is at \(current) on the remote, expected \(expected.hex)")
        case .value:
            break
        }
        // The remote is where the caller expects it; the commit has to be one
        // this transport made on top of it, its new objects loose files of the mirror.
        guard let record = recentCommits.record(for: commit), record.parent == expected else { return nil }
        let mirrorObjects = runner.mirrorPath + "/objects/"
        let files = record.objects.map { Self.loosePath($0) }
        for file in files where access(mirrorObjects + file, R_OK) != 0 { return nil }
        // A direct push is a fast-forward (the commit's parent is `expected`),
        // so `receive.denyNonFastForwards` has nothing to refuse.

        for file in files {
            try Self.copyLooseObject(from: mirrorObjects + file, to: folder + "objects/" + file)
        }
        guard let remoteReferences, Self.localRepositoryPath(configuration.url) == folder else { return nil }
        do {
            // A failed swap ends the process (it is started again on the next push).
            let transaction = "start\nupdate \(branch) \(commit.hex) \(expected.hex)\ncommit\n"
            _ = try await remoteReferences.request(Array(transaction.utf8), lines: 2)
        } catch {
            let text = error.message
            if text.contains("cannot lock ref") || text.contains("but expected") || text.contains(".lock") {
                return .conflict(message: text)
            }
            throw TransportError(error.code, error.message, remote: configuration.url, underlying: error)
        }
        let tracking = "start\nupdate \(configuration.trackingReference) \(commit.hex)\ncommit\n"
        _ = try await mirrorReferences.request(Array(tracking.utf8), lines: 2)
        return .pushed(commit)
    }

    /// The policy of the repository at `folder`; nil when its configuration cannot be read.
    private func receivePolicy(folder: String) async throws -> ReceivePolicy? {
        let file = folder + "config"
        guard let stamp = RemoteSettingsCache.stamp(file) else { return nil }
        if let settings = remoteSettings.settings(file: file, stamp: stamp) {
            return ReceivePolicy(folder: folder, settings: settings)
        }
        let result = try await runner.run(["config", "--file", file, "-z", "--list"])
        guard result.succeeded else { return nil }
        var settings: [String: String?] = [:]
        for record in GitOutput.fields(result.standardOutput) {
            let text = GitOutput.text(record)
            if let newline = text.firstIndex(of: "\n") {
                settings[text[..<newline].lowercased()] = .some(String(text[text.index(after: newline)...]))
            } else {
                settings[text.lowercased()] = .some(nil)
            }
        }
        // Only a file that did not change while it was read is cached.
        if RemoteSettingsCache.stamp(file) == stamp { remoteSettings.store(file: file, stamp: stamp, settings: settings) }
        return ReceivePolicy(folder: folder, settings: settings)
    }

    /// The folder (ending in "/") of the bare repository `url` names on
    /// this machine (a path or `file://`); nil for a network URL or a
    /// folder that does not look like a bare repository.
    static func localRepositoryFolder(_ url: String) -> String? {
        guard let path = localRepositoryPath(url) else { return nil }
        var status = stat()
        for (name, folder) in [("HEAD", false), ("objects", true), ("refs", true)] {
            guard stat(path + name, &status) == 0, ((status.st_mode & S_IFMT) == S_IFDIR) == folder else { return nil }
        }
        return path
    }

    /// The folder (ending in "/") an absolute path or `file://` URL names; nil otherwise.
    static func localRepositoryPath(_ url: String) -> String? {
        var path: String
        if url.hasPrefix("file://") {
            var rest = String(url.dropFirst("file://".count))
            if rest.hasPrefix("localhost/") { rest.removeFirst("localhost".count) }
            guard rest.hasPrefix("/"), let decoded = rest.removingPercentEncoding else { return nil }
            path = decoded
        } else if url.hasPrefix("/") {
            path = url
        } else {
            return nil
        }
        return path.hasSuffix("/") ? path : path + "/"
    }

    /// `objects/`-relative path of a loose object.
    static func loosePath(_ id: String) -> String {
        String(id.prefix(2)) + "/" + String(id.dropFirst(2))
    }

    enum RemoteReference: Equatable {
        case value(String)
        case missing
        /// Symbolic, malformed or unreadable: leave it to git.
        case unreadable
    }

    /// Reads a ref the way git's files backend stores it: its loose file, else `packed-refs`.
    static func readReference(_ name: String, in folder: String) -> RemoteReference {
        if access(folder + name, F_OK) == 0 {
            guard let data = FileManager.default.contents(atPath: folder + name) else { return .unreadable }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return ObjectID(hex: text) != nil ? .value(text) : .unreadable
        }
        guard let packed = FileManager.default.contents(atPath: folder + "packed-refs") else {
            return access(folder + "packed-refs", F_OK) == 0 ? .unreadable : .missing
        }
        for line in String(decoding: packed, as: UTF8.self).split(separator: "\n") {
            guard !line.hasPrefix("#"), !line.hasPrefix("^"), let space = line.firstIndex(of: " ") else { continue }
            if line[line.index(after: space)...] == name {
                let id = String(line[..<space])
                return ObjectID(hex: id) != nil ? .value(id) : .unreadable
            }
        }
        return .missing
    }

    /// Copies one loose object file unless the destination has it: into a
    /// temporary file in the destination folder, fsynced, read-only, linked
    /// to its name (an existing one is kept), then the folder is fsynced.
    static func copyLooseObject(from source: String, to destination: String) throws(TransportError) {
        if access(destination, F_OK) == 0 { return }
        guard let contents = FileManager.default.contents(atPath: source) else {
            throw TransportError(.backend, "cannot read \(source)")
        }
        let folder = String(destination[..<(destination.lastIndex(of: "/") ?? destination.endIndex)])
        if mkdir(folder, 0o777) != 0 && errno != EEXIST {
            throw TransportError(.backend, "cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        var template = Array((folder + "/tmp_obj_XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else {
            throw TransportError(.backend, "cannot create a file in \(folder): \(String(cString: strerror(errno)))")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(temporary) }
        let written = contents.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return raw.isEmpty }
            var offset = 0
            while offset < raw.count {
                let count = write(descriptor, base + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let synced = written && fchmod(descriptor, 0o444) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard synced else {
            throw TransportError(.backend, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        if link(temporary, destination) != 0 && errno != EEXIST {
            throw TransportError(.backend, "cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        let directory = open(folder, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
