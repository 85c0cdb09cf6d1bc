internal import CLibGit2
import Giter

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Owns a `git_commit` handle; keeps its repository alive.
final class Commit {
    let pointer: OpaquePointer
    let owner: Repository

    init(pointer: OpaquePointer, owner: Repository) {
        self.pointer = pointer
        self.owner = owner
    }

    deinit {
        git_commit_free(pointer)
    }

    var id: ObjectID {
        ObjectID(git_commit_id(pointer).pointee)
    }

    var treeOID: git_oid {
        git_commit_tree_id(pointer).pointee
    }

    var parentOIDs: [git_oid] {
        (0..<git_commit_parentcount(pointer)).compactMap { git_commit_parent_id(pointer, $0)?.pointee }
    }

    func tree() throws(TransportError) -> Tree {
        try owner.tree(treeOID)
    }

    /// The commit copied into a Swift value.
    var info: CommitInfo {
        CommitInfo(
            id: id,
            parents: parentOIDs.map(ObjectID.init),
            author: Self.signature(git_commit_author(pointer)),
            committer: Self.signature(git_commit_committer(pointer)),
            message: git_commit_message_raw(pointer).map { String(cString: $0) } ?? ""
        )
    }

    private static func signature(_ raw: UnsafePointer<git_signature>?) -> Signature {
        guard let raw else { return Signature(name: "", email: "", date: Date(timeIntervalSince1970: 0)) }
        return Signature(
            name: raw.pointee.name.map { String(cString: $0) } ?? "",
            email: raw.pointee.email.map { String(cString: $0) } ?? "",
            date: Date(timeIntervalSince1970: TimeInterval(raw.pointee.when.time)),
            timeZoneOffsetMinutes: Int(raw.pointee.when.offset)
        )
    }
}
