internal import CLibGit2
import Giter
import GiterLocalGit

extension Repository {
    /// Fetches the remote ref `name` into the mirror's ref of the same
    /// name; `nil`, and the mirror's copy removed, when the remote has none.
    func fetchReference(_ name: RemoteReferenceName, _ configuration: RemoteConfiguration) throws(TransportError)
        -> ObjectID?
    {
        let reference = name.rawValue
        let session = try RemoteSession(repository: self, configuration: configuration)
        guard let target = try session.connect(forPush: false)[reference] else {
            git_reference_remove(pointer, reference)
            git_error_clear()
            return nil
        }
        if try !contains(target) {
            try session.fetch(refspec: "+\(reference):\(reference)")
        }
        guard try contains(target) else {
            throw TransportError(.backend, "fetching \(reference) did not bring \(ObjectID(target))", remote: configuration.url)
        }
        // The advertised value, even if the ref moved since: the caller
        // compares and swaps against what it read.
        try setReference(reference, to: target)
        return ObjectID(target)
    }

    /// Points the remote ref `name` at `commit` if it is at `expected`
    /// there, always through receive-pack (so the server's hooks judge it).
    func pushReference(
        _ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?, _ configuration: RemoteConfiguration
    ) throws(TransportError) -> PushOutcome {
        let oid = try commit.gitOID()
        guard try contains(oid) else {
            throw TransportError(.objectNotFound, "commit \(commit) is not in the mirror; create it before pushing")
        }
        let reference = name.rawValue
        return try pushThroughReceivePack(
            commit, oid, to: reference, expecting: expected, configuration, mirrorReference: reference)
    }
}

extension Repository {
    /// Deletes the remote ref `name` if it is at `expected` there, through
    /// receive-pack; the mirror's copy goes too.
    func deleteReference(_ name: RemoteReferenceName, expecting expected: ObjectID, _ configuration: RemoteConfiguration)
        throws(TransportError) -> PushOutcome
    {
        let reference = name.rawValue
        let session = try RemoteSession(repository: self, configuration: configuration)
        let advertised = try session.connect(forPush: true)[reference].map(ObjectID.init)
        guard advertised == expected else {
            return .conflict(
                message: RefUpdateFailure.lostRaceMessage(reference: reference, current: advertised, expected: expected))
        }
        // receive-pack checks the advertised old value again under the ref's lock.
        _ = try session.push(refspec: ":\(reference)")
        if let rejected = session.rejectionOutcome() { return rejected }
        git_reference_remove(pointer, reference)
        git_error_clear()
        return .pushed(expected)
    }

    /// The remote's refs under `prefixes`, from one connection.
    func listReferences(under prefixes: [String], _ configuration: RemoteConfiguration) throws(TransportError)
        -> [String: ObjectID]
    {
        let session = try RemoteSession(repository: self, configuration: configuration)
        var references: [String: ObjectID] = [:]
        for (name, oid) in try session.connect(forPush: false) where prefixes.contains(where: { name.hasPrefix($0) }) {
            references[name] = ObjectID(oid)
            if references.count > RemoteReferenceName.listingLimit { throw RemoteReferenceName.listingTooLong(prefixes) }
        }
        return references
    }
}
