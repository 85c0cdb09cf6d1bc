internal import CLibGit2
import Giter

extension Repository {
    /// The commits reachable from `new` and not from `old`, newest first
    /// (topological, then by time), at most `limit` of them.
    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) throws(TransportError) -> [CommitInfo] {
        if let limit, limit <= 0 { return [] }
        if let old, let chain = try linearChain(from: new, to: old) {
            return limit.map { Array(chain.prefix($0)) } ?? chain
        }
        let walk = try RevisionWalk(repository: self)
        var newOID = try new.gitOID()
        _ = try commit(&newOID, describedAs: new.hex)
        try walk.push(newOID)
        if let old {
            var oldOID = try old.gitOID()
            _ = try commit(&oldOID, describedAs: old.hex)
            try walk.hide(oldOID)
        }
        var result: [CommitInfo] = []
        while var oid = try walk.next() {
            result.append(try commit(&oid, describedAs: ObjectID(oid).hex).info)
            if let limit, result.count >= limit { break }
        }
        return result
    }
}

extension Repository {
    /// How many commits ``linearChain(from:to:)`` follows before it leaves
    /// the question to a revision walk.
    static let linearChainBound = 256

    /// The commits from `new` back to `old`, newest first, when each of them
    /// has one parent and `old` is reached within ``linearChainBound``
    /// commits: an exchange branch's usual step (it is linear). `nil`
    /// otherwise. A revision walk that leaves `old` out orders what it
    /// visits before it returns anything: measured at 19–35 ms for one new
    /// commit right after a consumer's first sync of 100,000 resources (its
    /// own status commits just written), against well under 1 ms this way.
    func linearChain(from new: ObjectID, to old: ObjectID) throws(TransportError) -> [CommitInfo]? {
        var oldOID = try old.gitOID()
        _ = try commit(&oldOID, describedAs: old.hex)
        var chain: [CommitInfo] = []
        var next = new
        while next != old {
            guard chain.count < Self.linearChainBound else { return nil }
            var oid = try next.gitOID()
            let info = try commit(&oid, describedAs: next.hex).info
            guard info.parents.count == 1 else { return nil }
            chain.append(info)
            next = info.parents[0]
        }
        return chain
    }
}

extension RevisionWalk {
    /// Leaves out `oid` and every commit reachable from it.
    func hide(_ oid: git_oid) throws(TransportError) {
        var oid = oid
        try LibGit2.check(git_revwalk_hide(pointer, &oid), "leave \(ObjectID(oid)) out of the history walk")
    }
}
