import Giter

/// A ``Transport`` over an ``InMemoryRemote``. Objects live in the remote;
/// the transport keeps its own tracking ref, moved only by ``fetch()`` and
/// successful pushes, as a mirror's would be.
final class InMemoryTransport: Transport {
    let remote: InMemoryRemote
    let branch: String
    let refs = RefTable()

    init(remote: InMemoryRemote, branch: String) {
        self.remote = remote
        self.branch = branch
    }

    var configuration: RemoteConfiguration {
        RemoteConfiguration(url: "memory:", branch: branch, mirrorPath: "")
    }

    func remoteTip() async throws -> ObjectID? { remote.tip(of: branch) }

    func fetch() async throws -> ObjectID? {
        let tip = remote.tip(of: branch)
        refs.set(configuration.trackingReference, tip)
        return tip
    }

    func resolve(_ reference: String) async throws -> ObjectID? {
        if let id = ObjectID(hex: reference) { return (try? remote.commit(id)) != nil ? id : nil }
        return refs.get(reference)
    }

    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        let folder = try Self.folder(prefix)
        let entries = try remote.commit(commit).tree.files(under: folder)
        for entry in entries { try RepositoryPath.validate(entry) }
        return entries.sorted { Self.byPath($0.path, $1.path) }
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] { try remote.blob(id) }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        let folder = try Self.folder(prefix)
        var before: [String: TreeEntry] = [:]
        for entry in try old.map({ (id) throws(TransportError) in try remote.commit(id).tree.files(under: folder) }) ?? [] {
            before[entry.path] = entry
        }
        var changes: [PathChange] = []
        for entry in try remote.commit(new).tree.files(under: folder) {
            let old = before.removeValue(forKey: entry.path)
            guard old != entry else { continue }
            changes.append(PathChange(path: entry.path, oldID: old?.id, oldMode: old?.mode, newID: entry.id, newMode: entry.mode))
        }
        for old in before.values {
            changes.append(PathChange(path: old.path, oldID: old.id, oldMode: old.mode, newID: nil, newMode: nil))
        }
        for change in changes {
            if let id = change.oldID, let mode = change.oldMode {
                try RepositoryPath.validate(TreeEntry(path: change.path, mode: mode, id: id))
            }
            if let id = change.newID, let mode = change.newMode {
                try RepositoryPath.validate(TreeEntry(path: change.path, mode: mode, id: id))
            }
        }
        return changes.sorted { Self.byPath($0.path, $1.path) }
    }

    func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        guard let signer else { return try remote.makeCommit(request) }
        return try await remote.makeCommit(request, signer: signer)
    }

    func commitObject(_ id: ObjectID) async throws -> CommitObject {
        try remote.commitObject(id)
    }

    func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws -> Bool {
        _ = try remote.commit(new)
        return refs.compareAndSwap(reference, new, expecting: expected)
    }

    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        let outcome = remote.push(commit, to: branch, expecting: expected)
        if case .pushed = outcome { refs.set(configuration.trackingReference, commit) }
        return outcome
    }

    func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try RepositoryPath.validate(path)
        if let limit, limit <= 0 { return [] }
        return try await commits(from: commit, excluding: nil, limit: nil).filter { info in
            let parent = try info.parents.first.map { (id) throws(TransportError) in try remote.commit(id) }
            let mine = try remote.commit(info.id)
            return mine.tree.node(at: path) != parent?.tree.node(at: path)
        }.prefix(limit ?? .max).map { $0 }
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        if let limit, limit <= 0 { return [] }
        var excluded: Set<ObjectID> = []
        var cursor = old
        while let id = cursor {
            excluded.insert(id)
            cursor = try remote.commit(id).info.parents.first
        }
        var result: [CommitInfo] = []
        cursor = new
        while let id = cursor, !excluded.contains(id) {
            let info = try remote.commit(id).info
            result.append(info)
            if let limit, result.count >= limit { break }
            cursor = info.parents.first
        }
        return result
    }

    /// `prefix` as a folder path, trailing slashes dropped, checked as the
    /// backends check it; nil for the whole tree.
    static func folder(_ prefix: String?) throws(TransportError) -> String? {
        guard var folder = prefix else { return nil }
        while folder.hasSuffix("/") { folder.removeLast() }
        if folder.isEmpty { return nil }
        try RepositoryPath.validate(folder)
        return folder
    }

    /// Git's order of paths: by their bytes.
    static func byPath(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
