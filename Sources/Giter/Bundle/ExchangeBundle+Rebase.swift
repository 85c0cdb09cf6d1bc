import Crypto

/// Rebasing this site's commits onto a bundle's: what an import does when
/// both sites wrote since they last exchanged bundles.
extension ExchangeBundle {
    /// The commits of this site that a rebase wrote again, and the changes
    /// it dropped because the other site had removed their resource.
    public struct Rebase: Sendable, Hashable {
        /// Old commit → its rewritten counterpart.
        public var rewritten: [ObjectID: ObjectID]
        /// One line per dropped change: the path and why.
        public var dropped: [String]
    }

    /// Writes this site's commits after `base` (`local`, oldest first) again
    /// on top of `tip`, each with the same author, message and trailers plus
    /// `Giter-Rebased-From: <old commit>`, signed by `signer`; returns the
    /// new tip.
    ///
    /// A path only one side changed takes that side's file. A resource file
    /// both changed is merged by the store's rule for a lost race: a status
    /// change is spliced into the other side's file, a change outside
    /// `status` takes the other side's `status`, a status for a resource the
    /// other side removed is dropped and reported, and a removal wins over
    /// the other side's status (an archive moves the live file as it stands
    /// after the other side's commits).
    /// Anything else both changed — `.giter/` above all — stops the import.
    func rebase(
        _ local: [CommitInfo], base: ObjectID, onto tip: ObjectID, sender: String, signer: (any CommitSigner)?
    ) async throws -> (tip: ObjectID, rebase: Rebase) {
        let theirs = try await transport.changes(from: base, to: tip, under: nil)
        let ours = try await transport.changes(from: base, to: local.last?.id ?? base, under: nil)
        let contractOnBothSides = Set(theirs.map(\.path)).intersection(ours.map(\.path))
            .filter { $0 == Contract.folder || $0.hasPrefix(Contract.folder + "/") }
        if let path = contractOnBothSides.sorted().first {
            throw BundleError(
                .conflict,
                "both this site and \(sender) changed \(path) since they last exchanged bundles; the contract's "
                    + "files need a person: agree on one version, commit it at one site, and exchange bundles again")
        }
        // The newest blob of each path on the rebased branch, where it differs from the base's.
        var current: [String: ObjectID?] = [:]
        for change in theirs { current[change.path] = .some(change.newID) }
        var parent = tip
        var result = Rebase(rewritten: [:], dropped: [])
        for commit in local {
            guard let old = commit.parents.first, commit.parents.count == 1 else {
                throw BundleError(.conflict, "\(commit.id.short) is a merge commit; the exchange branch holds none")
            }
            let changes = try await transport.changes(from: old, to: commit.id, under: nil)
            let removed = Set(changes.filter { $0.newID == nil }.map(\.path))
            var edits: [PathEdit] = []
            for change in changes {
                // The path's blob on the rebased branch so far: the other site's, or an earlier rebased commit's.
                let now: ObjectID? = current[change.path] ?? change.oldID
                if now == change.newID { continue }
                if now == change.oldID {
                    guard let newID = change.newID else {
                        edits.append(.delete(path: change.path))
                        continue
                    }
                    var source = newID
                    // An archive moves the live file unchanged (the contract's rule): the live file as it
                    // stands now, with the status the other site wrote meanwhile.
                    if change.oldID == nil, let live = Self.liveCounterpart(of: change.path), removed.contains(live),
                        let before = changes.first(where: { $0.path == live })?.oldID, before == newID,
                        let liveNow = current[live] ?? before
                    {
                        source = liveNow
                    }
                    edits.append(.write(path: change.path, contents: try await transport.blob(source)))
                    continue
                }
                guard Self.isResourceFile(change.path) else {
                    throw BundleError(
                        .conflict,
                        "both this site (\(commit.id.short)) and \(sender) changed \(change.path); Giter merges only "
                            + "resource files: settle it by hand and exchange bundles again")
                }
                if let merged = try await merge(change, now: now, commit: commit, sender: sender, dropped: &result.dropped) {
                    edits.append(merged)
                }
            }
            let written = try await transport.createCommit(Self.rebasedRequest(commit, parent: parent, edits: edits), signer: signer)
            for edit in edits {
                switch edit {
                case .write(let path, let contents): current[path] = .some(Self.blobID(of: contents, like: tip))
                case .delete(let path): current[path] = .some(nil)
                }
            }
            result.rewritten[commit.id] = written
            parent = written
        }
        return (parent, result)
    }

    /// The id Git gives a blob holding `contents`, in the hash `sample` uses.
    static func blobID(of contents: [UInt8], like sample: ObjectID) -> ObjectID? {
        let header = Array("blob \(contents.count)\0".utf8)
        let hex: String
        if sample.hex.utf8.count == 64 {
            var hasher = SHA256()
            hasher.update(data: header)
            hasher.update(data: contents)
            hex = hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        } else {
            var hasher = Insecure.SHA1()
            hasher.update(data: header)
            hasher.update(data: contents)
            hex = hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        }
        return ObjectID(hex: hex)
    }

    /// `Giter-Rebased-From`: the trailer naming the commit a rebased one replaces.
    public static let rebasedFromTrailer = "Giter-Rebased-From"

    static func rebasedRequest(_ commit: CommitInfo, parent: ObjectID, edits: [PathEdit]) -> CommitRequest {
        let trailer = Trailer(rebasedFromTrailer, commit.id.hex)
        if commit.trailers.isEmpty {
            return CommitRequest(
                parent: parent, edits: edits, author: commit.author, committer: commit.committer,
                message: commit.message, trailers: [trailer])
        }
        // The message ends with its trailers: the new one joins their paragraph.
        var message = commit.message
        while message.hasSuffix("\n") { message.removeLast() }
        message += "\n\(trailer.key): \(trailer.value)"
        return CommitRequest(parent: parent, edits: edits, author: commit.author, committer: commit.committer, message: message)
    }

    private func merge(
        _ change: PathChange, now: ObjectID?, commit: CommitInfo, sender: String, dropped: inout [String]
    ) async throws -> PathEdit? {
        guard let newID = change.newID else {
            // This site removed it (archive or delete): the removal wins.
            return now == nil ? nil : .delete(path: change.path)
        }
        guard let now else {
            dropped.append("\(change.path): \(sender) archived or deleted it; the change of \(commit.id.short) is dropped")
            return nil
        }
        guard let oldID = change.oldID else {
            throw BundleError(
                .conflict, "both this site (\(commit.id.short)) and \(sender) created \(change.path), differently")
        }
        let blobs = try await transport.blobs([oldID, newID, now])
        let (before, mine, theirs) = try (split(blobs[0], change.path), split(blobs[1], change.path), split(blobs[2], change.path))
        if mine.sameOutsideStatus(as: before) {
            return .write(path: change.path, contents: Self.replacingStatus(of: theirs, with: mine))
        }
        if mine.statusBytes == before.statusBytes {
            return .write(path: change.path, contents: Self.replacingStatus(of: mine, with: theirs))
        }
        throw BundleError(
            .conflict,
            "\(commit.id.short) changed both the status and the rest of \(change.path), which \(sender) changed too; "
                + "settle it by hand and exchange bundles again")
    }

    private func split(_ bytes: [UInt8], _ path: String) throws -> StatusSplit {
        do {
            return try StatusSplit(bytes: bytes)
        } catch {
            throw BundleError(.conflict, "\(path) cannot be merged: it is not a resource file Giter can split (\(error))")
        }
    }

    /// `target`'s bytes with its `status` entry replaced by `source`'s
    /// (removed when `source` has none, added at the end when `target` has none).
    static func replacingStatus(of target: StatusSplit, with source: StatusSplit) -> [UInt8] {
        var bytes = Array(target.bytes[..<target.statusRange.lowerBound])
        let rest = target.bytes[target.statusRange.upperBound...]
        if target.statusRange.isEmpty {
            bytes = target.bytes
            if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
            bytes += source.statusBytes
        } else {
            bytes += source.statusBytes
            bytes += rest
        }
        return bytes
    }

    static func isResourceFile(_ path: String) -> Bool {
        (path.hasPrefix(ResourceKey.resourcesFolder + "/") || path.hasPrefix(ResourceKey.archiveFolder + "/"))
            && path.hasSuffix("." + ResourceKey.fileExtension)
    }

    /// The live path (`resources/…`) an archived file (`archive/…`) was moved from.
    static func liveCounterpart(of path: String) -> String? {
        let prefix = ResourceKey.archiveFolder + "/"
        guard path.hasPrefix(prefix) else { return nil }
        return ResourceKey.resourcesFolder + "/" + path.dropFirst(prefix.count)
    }
}

extension StatusSplit {
    /// The bytes of the `status` entry, with its line break; empty when there is none.
    var statusBytes: [UInt8] { Array(bytes[statusRange]) }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension ExchangeBundle {
    /// The most commits of its own a site rebases in one import.
    static let rebaseLimit = 10_000

    /// Whether moving the exchange branch from `old` to `new`, which is not
    /// a fast-forward, is a bundle import's rebase, and where the two
    /// histories part. The one rule for rewriting the branch, which the
    /// guard and readers both apply: `old` and `new` are linear
    /// first-parent histories from a common commit, and every commit only
    /// `old` has (at most ``rebaseLimit``) has a counterpart only `new` has,
    /// by the same author (e-mail), naming it in a `Giter-Rebased-From`
    /// trailer. So nothing a site wrote disappears: it is written again,
    /// and judged again by the contract like any new commit (signed again,
    /// where the policy requires signatures, by a key its author holds).
    ///
    /// - Returns: the common commit; `nil` when the move is not such a rebase.
    public static func rebaseBase(from old: ObjectID, to new: ObjectID, reader: any RepositoryReader) async throws
        -> ObjectID?
    {
        let dropped = try await reader.commits(from: old, excluding: new, limit: rebaseLimit + 1)
        guard !dropped.isEmpty, dropped.count <= rebaseLimit, let oldest = dropped.last,
            oldest.parents.count == 1, let base = oldest.parents.first,
            try await ExchangeLedger.chain(from: old, to: base, reader: reader)?.count == dropped.count,
            let added = try await ExchangeLedger.chain(from: new, to: base, reader: reader)
        else { return nil }
        var counterparts: [String: String] = [:]
        for commit in added {
            for trailer in commit.trailers where trailer.key == rebasedFromTrailer {
                counterparts[trailer.value.lowercased()] = commit.author.email.lowercased()
            }
        }
        for commit in dropped where counterparts[commit.id.hex] != commit.author.email.lowercased() {
            return nil
        }
        return base
    }
}
