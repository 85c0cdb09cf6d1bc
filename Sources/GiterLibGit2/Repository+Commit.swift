internal import CLibGit2
import Giter

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Repository {
    /// The commit a full ref name or a 40-digit id names; nil when missing.
    func resolve(_ reference: String) throws(TransportError) -> ObjectID? {
        if let id = ObjectID(hex: reference) {
            var oid = try id.gitOID()
            var object: OpaquePointer?
            let found = try LibGit2.check(
                git_object_lookup(&object, pointer, &oid, GIT_OBJECT_COMMIT), "read commit \(id)", allowing: [.notFound])
            git_object_free(object)
            return found == .ok ? id : nil
        }
        try Repository.validateReferenceName(reference)
        return try referenceTarget(reference).map(ObjectID.init)
    }

    /// Writes the commit `request` describes; moves no ref. The edits are
    /// grouped and checked by ``TreeEditPlan`` before anything is written.
    func createCommit(_ request: CommitRequest) throws(TransportError) -> ObjectID {
        let editor = try TreeEditor(TreeEditPlan(request.edits))
        let parent = try request.parent.map { (id) throws(TransportError) in try commit(id) }
        let tree = try self.tree(editor.write(onto: parent?.tree(), in: self))
        let author = try SignatureHandle(request.author)
        let committer = try SignatureHandle(request.committer)
        var parents: [OpaquePointer?] = parent.map { [$0.pointer] } ?? []
        var commitOID = git_oid()
        // `parent` owns the handle lent in `parents`: keep it alive for the call.
        let result = withExtendedLifetime(parent) {
            git_commit_create(
                &commitOID, pointer, nil, author.pointer, committer.pointer, nil, request.fullMessage, tree.pointer,
                parents.count, &parents)
        }
        try LibGit2.check(result, "write a commit on tree \(ObjectID(tree.oid))")
        return ObjectID(commitOID)
    }

    /// Compare-and-swap of a ref: false, changing nothing, when it is not at `expected`.
    func updateReference(_ name: String, to new: ObjectID, expecting expected: ObjectID?) throws(TransportError) -> Bool {
        try Repository.validateReferenceName(name)
        var newOID = try new.gitOID()
        guard try contains(newOID) else {
            throw TransportError(.objectNotFound, "cannot point \(name) at \(new): the object is not in the mirror")
        }
        var reference: OpaquePointer?
        defer { git_reference_free(reference) }
        let code: LibGit2Code
        if let expected {
            var expectedOID = try expected.gitOID()
            code = try LibGit2.check(
                git_reference_create_matching(&reference, pointer, name, &newOID, 1, &expectedOID, nil),
                "move \(name) from \(expected) to \(new)",
                allowing: [.modified, .notFound, .exists]
            )
        } else {
            code = try LibGit2.check(
                git_reference_create(&reference, pointer, name, &newOID, 0, nil),
                "create \(name) at \(new)",
                allowing: [.exists]
            )
        }
        return code == .ok
    }
}

/// Owns a `git_signature`.
final class SignatureHandle {
    let pointer: UnsafeMutablePointer<git_signature>

    init(_ signature: Signature) throws(TransportError) {
        var handle: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(signature.date.timeIntervalSince1970.rounded(.down))
        let result = git_signature_new(
            &handle, signature.name, signature.email, seconds, Int32(clamping: signature.timeZoneOffsetMinutes))
        if result < 0 {
            let failure = LibGit2.lastFailure(result)
            throw TransportError(
                .invalidArgument, "'\(signature)' is not a valid Git identity: \(failure.message)", underlying: failure)
        }
        guard let handle else { throw TransportError(.backend, "libgit2 returned no signature") }
        pointer = handle
    }

    deinit {
        git_signature_free(pointer)
    }
}
