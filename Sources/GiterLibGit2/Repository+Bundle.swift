internal import CLibGit2
import Giter
import GiterLocalGit

extension Repository {
    /// The objects reachable from `tip` and not from `base`, as one pack
    /// that refers to no object outside it: libgit2's pack builder, fed by
    /// a walk that hides `base` and so leaves out its trees and blobs too.
    func packObjects(reachableFrom tip: ObjectID, excluding base: ObjectID?) throws(TransportError) -> [UInt8] {
        var builder: OpaquePointer?
        try LibGit2.check(git_packbuilder_new(&builder, pointer), "start a pack in \(path)")
        defer { git_packbuilder_free(builder) }
        _ = git_packbuilder_set_threads(builder, 1)
        var walk: OpaquePointer?
        try LibGit2.check(git_revwalk_new(&walk, pointer), "start a walk in \(path)")
        defer { git_revwalk_free(walk) }
        var tipID = try tip.gitOID()
        try LibGit2.check(git_revwalk_push(walk, &tipID), "walk from \(tip)")
        if let base {
            var baseID = try base.gitOID()
            try LibGit2.check(git_revwalk_hide(walk, &baseID), "leave out what \(base) holds")
        }
        try LibGit2.check(git_packbuilder_insert_walk(builder, walk), "collect the objects from \(tip)")
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try LibGit2.check(git_packbuilder_write_buf(&buffer, builder), "write the pack of \(tip)")
        guard let bytes = buffer.ptr else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: buffer.size))
    }

    /// Indexes `pack` into this repository's `objects/pack` through a
    /// staging folder, as ``writePack(_:into:durably:)`` installs its own
    /// packs: libgit2's indexer hashes every object and checks the trailer,
    /// and resolves deltas against objects the repository already has.
    func storePack(_ pack: [UInt8], durably: Bool) throws(TransportError) {
        try stagingPack(into: LocalRepository(folder: gitDirectory), durably: durably) {
            (database, staging) throws(TransportError) in
            try index(pack, with: database, inFolder: staging)
        }
    }

    private func index(_ pack: [UInt8], with database: OpaquePointer?, inFolder folder: String)
        throws(TransportError) -> String
    {
        var options = git_indexer_options()
        try LibGit2.check(
            git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), "prepare a pack index")
        options.verify = 1
        var indexer: OpaquePointer?
        try LibGit2.check(git_indexer_new(&indexer, folder, 0, database, &options), "start a pack index in \(folder)")
        defer { git_indexer_free(indexer) }
        var progress = git_indexer_progress()
        do throws(TransportError) {
            var start = 0
            while start < pack.count {
                let end = min(pack.count, start + Self.packChunk)
                let result = pack.withUnsafeBytes { raw in
                    git_indexer_append(indexer, raw.baseAddress! + start, end - start, &progress)
                }
                try LibGit2.check(result, "read the pack")
                start = end
            }
            try LibGit2.check(git_indexer_commit(indexer, &progress), "finish the pack")
        } catch {
            throw TransportError(.invalidArgument, "the pack is truncated or corrupted: \(error.message)", underlying: error)
        }
        guard let name = git_indexer_name(indexer) else {
            throw TransportError(.backend, "the pack index in \(folder) has no name")
        }
        return String(cString: name)
    }
}
