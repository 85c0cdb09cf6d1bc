internal import CLibGit2
import Giter

extension Repository {
    /// The commits reachable from `new` and not from `old`, newest first
    /// (topological, then by time), at most `limit` of them.
    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) throws(TransportError) -> [CommitInfo] {
        if let limit, limit <= 0 { return [] }
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

extension RevisionWalk {
    /// Leaves out `oid` and every commit reachable from it.
    func hide(_ oid: git_oid) throws(TransportError) {
        var oid = oid
        try LibGit2.check(git_revwalk_hide(pointer, &oid), "leave \(ObjectID(oid)) out of the history walk")
    }
}
