internal import CLibGit2
import Giter
import GiterLocalGit

extension Repository {
    /// The most bytes of a bundle's pack held in memory before they go to the indexer.
    static let packChunk = 1 << 20

    /// Writes `objects` of this repository as one pack with its index into
    /// `target`'s `objects/pack`, without deltas, in the order given, by
    /// ``PackFileWriter`` (the one pack writer of both backends): each
    /// object named again from its bytes and compared with its id, stored
    /// or deflated by its size, the index written beside the pack; then
    /// moved into place, pack first, fsynced when `durably`. A kill leaves
    /// at most the staging folder or a pack without its index, neither of
    /// which Git reads.
    ///
    /// Why not libgit2's pack builder: it searches for deltas among the
    /// objects, which cost more than writing them loose (measured in
    /// `Documentation/Performance.md`, "Bulk and the git-CLI round trip").
    func writePack(_ objects: [git_oid], into target: LocalRepository, durably: Bool) throws(TransportError) {
        var database: OpaquePointer?
        try LibGit2.check(git_repository_odb(&database, pointer), "open the object database of \(path)")
        defer { git_odb_free(database) }
        let writer = try PackFileWriter(into: target, objectCount: objects.count)
        for var oid in objects {
            var object: OpaquePointer?
            try LibGit2.check(git_odb_read(&object, database, &oid), "read \(ObjectID(oid)) from \(path)")
            defer { git_odb_object_free(object) }
            guard let type = PackObjectType(rawValue: UInt8(truncatingIfNeeded: git_odb_object_type(object).rawValue)) else {
                throw TransportError(.backend, "\(ObjectID(oid)) in \(path) is of no type a pack holds")
            }
            let data = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
            guard try writer.append(type, data) == ObjectID(oid) else {
                throw TransportError(.backend, "\(ObjectID(oid)) in \(path) is not what its name says")
            }
        }
        try writer.finish(durably: durably)
    }

    /// Lets `write` put a pack and its index into a staging folder of
    /// `target` (with this repository's object database at hand) and return
    /// the name the indexer gave them; then moves them into `target`'s
    /// `objects/pack`, pack first, fsynced when `durably`. The staging
    /// folder goes when `write` or the move fails.
    func stagingPack(
        into target: LocalRepository, durably: Bool,
        _ write: (OpaquePointer?, String) throws(TransportError) -> String
    ) throws(TransportError) {
        var database: OpaquePointer?
        try LibGit2.check(git_repository_odb(&database, pointer), "open the object database of \(path)")
        defer { git_odb_free(database) }
        let staging = try target.makePackStagingFolder()
        do throws(TransportError) {
            let name = try write(database, staging)
            try target.installPack("pack-" + name, from: staging, durably: durably)
        } catch {
            Platform.removeFolder(staging)
            throw error
        }
    }

    /// Writes `objects`, made in memory, into this repository's object
    /// database, skipping those it has: loose, or, when there are as many
    /// as ``ObjectCopyRoute`` packs, as one pack (``PackFileWriter``; not
    /// fsynced: the mirror is a cache, and a push copies the objects
    /// durably into the remote). The objects come in the order given, each
    /// after those it points to, and every one is in the database when
    /// this returns.
    func write(_ objects: [TreeEditor.NewObject]) throws(TransportError) {
        var database: OpaquePointer?
        try LibGit2.check(git_repository_odb(&database, pointer), "open the object database of \(path)")
        defer { git_odb_free(database) }
        var seen = Set<ObjectID>()
        let missing = objects.filter { object in
            var oid = object.oid
            return git_odb_exists_ext(database, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) != 1
                && seen.insert(ObjectID(oid)).inserted
        }
        let here = LocalRepository(folder: gitDirectory)
        let route = ObjectCopyRoute.route(
            objectCount: missing.count, unpackLimit: ReceivePolicy.defaultUnpackLimit, into: here)
        guard route == .pack else {
            for object in missing {
                var written = git_oid()
                let result = object.bytes.withUnsafeBytes {
                    git_odb_write(&written, database, $0.baseAddress, $0.count, object.type)
                }
                try LibGit2.check(result, "write \(ObjectID(object.oid)) into \(path)")
                guard git_oid.same(written, object.oid) else {
                    throw TransportError(.backend, "writing \(ObjectID(object.oid)) into \(path) gave \(ObjectID(written))")
                }
            }
            return
        }
        let writer = try PackFileWriter(into: here, objectCount: missing.count)
        for object in missing {
            guard let type = PackObjectType(rawValue: UInt8(truncatingIfNeeded: object.type.rawValue)) else {
                throw TransportError(.backend, "an object made in memory is of no type a pack holds")
            }
            try writer.append(type, object.bytes)
        }
        try writer.finish(durably: false)
        // The new pack is not among those the database has listed yet.
        try LibGit2.check(git_odb_refresh(database), "list the packs of \(path) again")
    }
}
