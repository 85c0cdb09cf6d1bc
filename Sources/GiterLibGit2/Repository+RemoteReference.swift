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
