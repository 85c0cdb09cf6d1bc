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

    /// Writes the unsigned commit `request` describes; moves no ref. The
    /// edits are grouped and checked by ``TreeEditPlan`` before anything is
    /// written; the blobs and trees are made in memory and written together
    /// (``write(_:)``: one pack when there are many), the commit loose.
    func createCommit(_ request: CommitRequest) throws(TransportError) -> ObjectID {
        let parts = try commitParts(request)
        var parents: [OpaquePointer?] = parts.parent.map { [$0.pointer] } ?? []
        var commitOID = git_oid()
        // `parts` owns the handles lent here: keep it alive for the call.
        let result = withExtendedLifetime(parts) {
            git_commit_create(
                &commitOID, pointer, nil, parts.author.pointer, parts.committer.pointer, nil, request.fullMessage,
                parts.tree.pointer, parents.count, &parents)
        }
        try LibGit2.check(result, "write a commit on tree \(ObjectID(parts.tree.oid))")
        return ObjectID(commitOID)
    }

    /// The commit object `request` describes, for a signer: its tree (and
    /// blobs) written, the commit itself not. Byte for byte the object
    /// ``createCommit(_:)`` writes for the same request.
    func unsignedCommitObject(_ request: CommitRequest) throws(TransportError) -> [UInt8] {
        let parts = try commitParts(request)
        var parents: [OpaquePointer?] = parts.parent.map { [$0.pointer] } ?? []
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let result = withExtendedLifetime(parts) {
            git_commit_create_buffer(
                &buffer, pointer, parts.author.pointer, parts.committer.pointer, nil, request.fullMessage,
                parts.tree.pointer, parents.count, &parents)
        }
        try LibGit2.check(result, "make a commit on tree \(ObjectID(parts.tree.oid))")
        guard let start = buffer.ptr else { throw TransportError(.backend, "libgit2 made an empty commit object") }
        return Array(UnsafeRawBufferPointer(start: start, count: buffer.size))
    }

    /// Writes `bytes` (a signed commit object) as a commit; moves no ref.
    func writeCommitObject(_ bytes: [UInt8]) throws(TransportError) -> ObjectID {
        var odb: OpaquePointer?
        try LibGit2.check(git_repository_odb(&odb, pointer), "open the object database")
        defer { git_odb_free(odb) }
        var oid = git_oid()
        let result = bytes.withUnsafeBytes { raw in
            git_odb_write(&oid, odb, raw.baseAddress, raw.count, GIT_OBJECT_COMMIT)
        }
        try LibGit2.check(result, "write a signed commit of \(bytes.count) bytes")
        return ObjectID(oid)
    }

    /// The commit `id` as stored: its raw bytes, read from the object
    /// database (no parsing by libgit2).
    func commitObject(_ id: ObjectID) throws(TransportError) -> CommitObject {
        var oid = try id.gitOID()
        var odb: OpaquePointer?
        try LibGit2.check(git_repository_odb(&odb, pointer), "open the object database")
        defer { git_odb_free(odb) }
        var object: OpaquePointer?
        let found = try LibGit2.check(git_odb_read(&object, odb, &oid), "read object \(id)", allowing: [.notFound])
        defer { git_odb_object_free(object) }
        guard found == .ok, let object else {
            throw TransportError(.objectNotFound, "the repository has no object \(id)")
        }
        let type = git_odb_object_type(object)
        guard type == GIT_OBJECT_COMMIT else {
            let name = git_object_type2string(type).map { String(cString: $0) } ?? "object of type \(type.rawValue)"
            throw TransportError(.invalidArgument, "\(id) is a \(name), not a commit")
        }
        let size = git_odb_object_size(object)
        let bytes = size > 0 ? git_odb_object_data(object).map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? [] : []
        do {
            return try CommitObject(bytes: bytes)
        } catch {
            throw TransportError(.backend, "commit \(id) cannot be read: \(error.message)", underlying: error)
        }
    }

    /// What a new commit is made of: its parent, its tree (written) and identities.
    private struct CommitParts {
        var parent: Commit?
        var tree: Tree
        var author: SignatureHandle
        var committer: SignatureHandle
    }

    private func commitParts(_ request: CommitRequest) throws(TransportError) -> CommitParts {
        let editor = try TreeEditor(TreeEditPlan(request.edits))
        let parent = try request.parent.map { (id) throws(TransportError) in try commit(id) }
        let edit = try editor.edit(onto: parent?.tree(), in: self)
        try write(edit.objects)
        let tree = try self.tree(edit.root)
        return CommitParts(
            parent: parent, tree: tree, author: try SignatureHandle(request.author),
            committer: try SignatureHandle(request.committer))
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
