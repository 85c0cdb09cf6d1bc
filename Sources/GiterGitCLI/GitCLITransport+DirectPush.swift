import Giter
import GiterLocalGit

extension GitCLITransport {
    /// Pushes `commit` into a bare repository on this machine without
    /// `git push`, when ``ReceivePolicy`` says receive-pack would do nothing
    /// more than check the objects in and move the ref:
    ///
    /// 1. the remote branch is read from its ref file (or `packed-refs`):
    ///    not at `expected` → `.conflict`, nothing written;
    /// 2. the objects this transport wrote for `commit` (a commit made by
    ///    ``createCommit(_:signer:)`` on top of `expected`) are copied into
    ///    the remote: loose object files, each written to a temporary file,
    ///    fsynced, linked into place and its folder fsynced; for a commit
    ///    written as one pack (``PackedCommitObjects``), that pack and its
    ///    index first, through a staging folder, fsynced, moved pack first
    ///    and the folder fsynced (``LocalRepository/copyPack(_:from:durably:)``),
    ///    when the remote's `receive.unpackLimit` and pack count would have
    ///    receive-pack keep a pack too (``ObjectCopyRoute``);
    /// 3. the branch moves from `expected` to `commit` by
    ///    ``ReferenceLock/update(from:to:)``: a compare-and-swap under the
    ///    ref's lock file, the one receive-pack takes, with an owner record
    ///    beside it, so a concurrent push of either kind wins or loses
    ///    cleanly and a lock left by a dead Giter process is removed. A lost
    ///    swap is `.conflict`, a lock held by anyone else `.locked`. The
    ///    mirror's tracking ref then moves through a long-lived
    ///    `update-ref --stdin` in the mirror.
    ///
    /// Returns nil, having written nothing, when the push must go through
    /// `git push`: a network remote, no `expected`, a repository that is not
    /// bare, a policy that asks for receive-pack, a symbolic branch ref or
    /// one with a reflog, or
    /// (the remote being at `expected`) a commit this transport did not
    /// write on top of `expected`, whose objects are no longer loose files
    /// (or its pack) in the mirror, or whose pack the remote would unpack.
    func pushDirectly(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome? {
        guard let expected, let remote = Self.directRepository(configuration.url), remote.hasRepositoryLayout else {
            return nil
        }
        guard let policy = try await receivePolicy(remote), policy.receivePackReason == nil else { return nil }
        let branch = configuration.localReference
        let lock = ReferenceLock(branch, in: remote)
        guard !lock.hasReflog else { return nil }
        switch remote.readReference(branch) {
        case .unreadable:
            return nil
        case .missing:
            return .conflict(message: RefUpdateFailure.lostRaceMessage(reference: branch, current: nil, expected: expected))
        case .value(let current) where current != expected:
            return .conflict(
                message: RefUpdateFailure.lostRaceMessage(reference: branch, current: current, expected: expected))
        case .value:
            break
        }
        // The remote is where the caller expects it; the commit has to be one
        // this transport made on top of it, its new objects loose files (or one pack) of the mirror.
        guard let record = recentCommits.record(for: commit), record.parent == expected else { return nil }
        let mirror = LocalRepository(folder: runner.mirrorPath)
        var objects: [ObjectID] = []
        for hex in record.objects {
            guard let id = ObjectID(hex: hex), Platform.isReadable(mirror.looseObjectPath(id)) else { return nil }
            objects.append(id)
        }
        // A direct push is a fast-forward (the commit's parent is `expected`),
        // so `receive.denyNonFastForwards` has nothing to refuse.

        if let pack = record.pack {
            // As receive-pack would keep them: a pack only where the remote's limits ask for one.
            guard Platform.isReadable(mirror.packFolder + "/" + pack.name + ".idx"),
                ObjectCopyRoute.route(objectCount: pack.objects, unpackLimit: policy.unpackLimit, into: remote) == .pack
            else { return nil }
            // Gone from the mirror meanwhile (a repack): `git push` finds the objects.
            guard try remote.copyPack(pack.name, from: mirror, durably: true) else { return nil }
        }
        for id in objects {
            try Self.copyLooseObject(from: mirror.looseObjectPath(id), to: remote.looseObjectPath(id))
        }
        let outcome = try lock.update(from: expected, to: commit).pushOutcome(lock, expected: expected, new: commit)
        guard case .pushed = outcome else { return outcome }
        let tracking = "start\nupdate \(configuration.trackingReference) \(commit.hex)\ncommit\n"
        _ = try await mirrorReferences.request(Array(tracking.utf8), lines: 2)
        return .pushed(commit)
    }

    /// The policy of `remote`; nil when its configuration cannot be read.
    private func receivePolicy(_ remote: LocalRepository) async throws -> ReceivePolicy? {
        if let settings = remoteSettings.settings(of: remote) {
            return ReceivePolicy(repository: remote, settings: settings)
        }
        let readStart = Platform.wallClock()
        let before = RepositoryStamp(remote)
        // The file's own settings: `--file` follows no include (the policy refuses them anyway).
        let result = try await runner.run(["config", "--file", remote.configurationFile, "-z", "--list"])
        guard result.succeeded else { return nil }
        let entries = GitOutput.fields(result.standardOutput).map { record -> (name: String, value: String?) in
            let text = GitOutput.text(record)
            guard let newline = text.firstIndex(of: "\n") else { return (text, nil) }
            return (String(text[..<newline]), String(text[text.index(after: newline)...]))
        }
        let settings = ReceiveSettings(entries: entries)
        remoteSettings.store(settings, readBetween: before, and: RepositoryStamp(remote), readStart: readStart)
        return ReceivePolicy(repository: remote, settings: settings)
    }

    /// The repository on this machine `url` names for the direct route: an
    /// absolute path or a `file://` URL (``LocalRepositoryURL``); nil otherwise.
    static func directRepository(_ url: String) -> LocalRepository? {
        LocalRepositoryURL(url)?.directRepository
    }

    /// Copies one loose object file unless the destination has it, durably
    /// and read-only (``Platform/createDurably(_:at:mode:)``).
    static func copyLooseObject(from source: String, to destination: String) throws(TransportError) {
        if Platform.exists(destination) { return }
        guard let contents = Platform.contents(of: source) else {
            throw TransportError(.backend, "cannot read \(source); the mirror's object may have been packed, push again")
        }
        try Platform.createDurably(contents, at: destination, mode: 0o444)
    }
}
