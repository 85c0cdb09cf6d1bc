internal import CLibGit2
import Giter
import GiterLocalGit

extension Repository {
    /// Fetches the configured branch into its tracking ref; nil when the
    /// remote has no such branch. Downloads nothing when the tracking ref
    /// already holds the remote's tip.
    func fetch(_ configuration: RemoteConfiguration) throws(TransportError) -> ObjectID? {
        let session = try RemoteSession(repository: self, configuration: configuration)
        let heads = try session.connect(forPush: false)
        guard let tip = heads[configuration.localReference] else { return nil }
        let tracking = configuration.trackingReference
        if let current = try referenceTarget(tracking), git_oid.same(current, tip) {
            return ObjectID(tip)
        }
        if try contains(tip) {
            // Already here (pushed from this mirror): nothing to download.
            try setReference(tracking, to: tip)
            return ObjectID(tip)
        }
        try session.fetch(refspec: "+\(configuration.localReference):\(tracking)")
        // The fetch updated the tracking ref, possibly past `tip` if the
        // branch moved since it was listed.
        if let fetched = try referenceTarget(tracking), try contains(fetched) {
            return ObjectID(fetched)
        }
        throw TransportError(
            .backend, "fetching \(configuration.localReference) did not update \(tracking)", remote: configuration.url)
    }

    /// Pushes `commit` to the remote branch if it is at `expected` there:
    /// directly into a repository on this machine when receive-pack would
    /// do nothing more (``pushDirectly(_:expecting:to:_:targets:)``), otherwise
    /// through the smart protocol. Returns the outcome and the route taken.
    func push(
        _ commit: ObjectID, expecting expected: ObjectID?, _ configuration: RemoteConfiguration,
        targets: DirectPushTargets
    ) throws(TransportError) -> (PushOutcome, PushRoute)
    {
        let oid = try commit.gitOID()
        guard try contains(oid) else {
            throw TransportError(.objectNotFound, "commit \(commit) is not in the mirror; create it before pushing")
        }
        if let local = LocalRepositoryURL(configuration.url)?.directRepository,
            let outcome = try pushDirectly(oid, expecting: expected, to: local, configuration, targets: targets)
        {
            if case .pushed = outcome { try setReference(configuration.trackingReference, to: oid) }
            return (outcome, .direct)
        }
        let outcome = try pushThroughReceivePack(
            commit, oid, to: configuration.localReference, expecting: expected, configuration,
            mirrorReference: configuration.trackingReference)
        return (outcome, .receivePack)
    }

    /// Pushes `commit` to the remote ref `reference` with `git_remote_push`
    /// (a spawned git-receive-pack for a repository on this machine, so the
    /// server's hooks judge it), after checking the advertised value; on
    /// success points the mirror's `mirrorReference` at it.
    func pushThroughReceivePack(
        _ commit: ObjectID, _ oid: git_oid, to reference: String, expecting expected: ObjectID?,
        _ configuration: RemoteConfiguration, mirrorReference: String
    ) throws(TransportError) -> PushOutcome {
        // libgit2 pushes refs, not ids: lend the commit a private ref for the push.
        let source = "refs/giter/push/\(commit.hex)"
        try setReference(source, to: oid)
        defer { git_reference_remove(pointer, source) }

        let session = try RemoteSession(repository: self, configuration: configuration)
        let advertised = try session.connect(forPush: true)[reference].map(ObjectID.init)
        guard advertised == expected else {
            return .conflict(
                message: RefUpdateFailure.lostRaceMessage(reference: reference, current: advertised, expected: expected))
        }
        // `+`: the lease above is the compare-and-swap, as with
        // `--force-with-lease`; receive-pack (spawned for a local remote)
        // checks the advertised old value again under the ref's lock.
        let code = try session.push(refspec: "+\(source):\(reference)")
        if code == .nonFastForward {
            return .conflict(message: "\(reference) on the remote is not an ancestor of \(commit.short) (non-fast-forward)")
        }
        if let rejected = session.rejectionOutcome() { return rejected }
        try setReference(mirrorReference, to: oid)
        return .pushed(commit)
    }

    /// Points `name` at `oid`, whatever it pointed at before.
    func setReference(_ name: String, to oid: git_oid) throws(TransportError) {
        var oid = oid
        var reference: OpaquePointer?
        try LibGit2.check(git_reference_create(&reference, pointer, name, &oid, 1, nil), "set \(name)")
        git_reference_free(reference)
    }
}
