import Giter
import GiterLocalGit

extension GitCLITransport {
    /// The remote's branch read from its files, without a git process,
    /// when the remote is a repository on this machine
    /// (``directRepository(_:)``) whose refs are files
    /// (``LocalRepository/keepsReferencesInFiles``); `nil` when git must
    /// be asked instead: a network remote, a folder that is not a
    /// repository, refs in a reftable, or a branch ref that is symbolic or
    /// unreadable (``LocalRepository/readReference(_:)`` says `.unreadable`).
    func localRemoteBranch() -> ReferenceValue? {
        guard let remote = Self.directRepository(configuration.url), remote.hasRepositoryLayout,
            remote.keepsReferencesInFiles
        else { return nil }
        let value = remote.readReference(configuration.localReference)
        return value == .unreadable ? nil : value
    }

    /// A fetch from a repository on this machine whose branch
    /// ``localRemoteBranch()`` reads, without `git fetch`:
    ///
    /// - the tracking ref already holds the remote's tip (read through the
    ///   long-lived `cat-file`): nothing to do, `.upToDate`;
    /// - the tip is a commit the mirror already has (one this transport
    ///   made and pushed; a commit is written after the objects it points
    ///   to, so all of them are here too): the tracking ref moves to it,
    ///   `.direct`;
    /// - otherwise the new commits are copied by
    ///   ``copyCommits(from:tip:tracked:)`` when it can, `.direct`.
    ///
    /// The tracking ref moves through the long-lived `update-ref --stdin`.
    /// `nil` when `git fetch` has to run as before: a network remote, a
    /// branch that is missing (`git fetch` drops a stale tracking ref) or
    /// cannot be read here, no tracking ref yet, or history that
    /// ``copyCommits(from:tip:tracked:)`` does not copy.
    func fetchLocally() async throws -> (tip: ObjectID, route: FetchRoute)? {
        guard case .value(let tip)? = localRemoteBranch(), let remote = Self.directRepository(configuration.url) else {
            return nil
        }
        let tracking = configuration.trackingReference
        let tracked = try await reads.resolve(tracking)
        if tracked == tip { return (tip, .upToDate) }
        if try await objects.read(tip.hex)?.type != "commit" {
            guard let tracked, await copyCommits(from: remote, tip: tip, tracked: tracked) else { return nil }
        }
        // As `git fetch` with a `+` refspec does: the tracking ref is set, not compared.
        let update = "start\nupdate \(tracking) \(tip.hex)\ncommit\n"
        _ = try await mirrorReferences.request(Array(update.utf8), lines: 2)
        return (tip, .direct)
    }
}
