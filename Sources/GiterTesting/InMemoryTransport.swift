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
        try remote.commit(commit).files.filter { Self.path($0.key, isUnder: prefix) }
            .map { TreeEntry(path: $0.key, mode: .regular, id: $0.value) }
            .sorted { $0.path < $1.path }
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] { try remote.blob(id) }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        let before = try old.map { (id) throws(TransportError) in try remote.commit(id).files } ?? [:]
        let after = try remote.commit(new).files
        var changes: [PathChange] = []
        for path in Set(before.keys).union(after.keys) where Self.path(path, isUnder: prefix) {
            let oldID = before[path]
            let newID = after[path]
            guard oldID != newID else { continue }
            changes.append(
                PathChange(
                    path: path, oldID: oldID, oldMode: oldID.map { _ in .regular }, newID: newID,
                    newMode: newID.map { _ in .regular }))
        }
        return changes.sorted { $0.path < $1.path }
    }

    func createCommit(_ request: CommitRequest) async throws -> ObjectID {
        try remote.makeCommit(request)
    }

    func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws -> Bool {
        refs.compareAndSwap(reference, new, expecting: expected)
    }

    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        let outcome = remote.push(commit, to: branch, expecting: expected)
        if case .pushed = outcome { refs.set(configuration.trackingReference, commit) }
        return outcome
    }

    func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try await commits(from: commit, excluding: nil, limit: nil).filter { info in
            let parent = try info.parents.first.map { (id) throws(TransportError) in try remote.commit(id) }
            let mine = try remote.commit(info.id)
            return Self.entries(mine.files, under: path) != Self.entries(parent?.files ?? [:], under: path)
        }.prefix(limit ?? .max).map { $0 }
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
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

    static func path(_ path: String, isUnder prefix: String?) -> Bool {
        guard let prefix, !prefix.isEmpty else { return true }
        return path == prefix || path.hasPrefix(prefix + "/")
    }

    static func entries(_ files: [String: ObjectID], under path: String) -> [String: ObjectID] {
        files.filter { Self.path($0.key, isUnder: path) }
    }
}
