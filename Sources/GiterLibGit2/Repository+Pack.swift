internal import CLibGit2
import Crypto
import Giter
import GiterLocalGit

extension Repository {
    /// The most bytes of a pack held in memory before they go to the indexer.
    static let packChunk = 1 << 20

    /// Writes `objects` of this repository as one pack with its index into
    /// `target`'s `objects/pack`, without deltas: each object whole,
    /// each stored or deflated by its size (``Deflater``), in the order given, the pack's
    /// SHA-1 trailer after them. The bytes go, a megabyte at a time, to
    /// libgit2's indexer in a staging folder there, which hashes every
    /// object again to name it in the index and checks the trailer; then
    /// ``LocalRepository/installPack(_:from:durably:)`` moves the pack and
    /// its index into place, pack first, fsynced when `durably`. A kill
    /// leaves at most the staging folder or a pack without its index,
    /// neither of which Git reads.
    ///
    /// Why not libgit2's pack builder: it searches for deltas among the
    /// objects, which cost more than writing them loose (measured in
    /// `Documentation/Performance.md`, "Bulk and the git-CLI round trip").
    func writePack(_ objects: [git_oid], into target: LocalRepository, durably: Bool) throws(TransportError) {
        try stagingPack(into: target, durably: durably) { (database, staging) throws(TransportError) in
            try writePack(objects, from: database, inFolder: staging)
        }
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

    /// Writes the pack and its index into `folder`; returns the name the indexer gave them (`pack-<name>.pack`).
    private func writePack(_ objects: [git_oid], from database: OpaquePointer?, inFolder folder: String)
        throws(TransportError) -> String
    {
        let writer = try PackWriter(objectCount: objects.count, inFolder: folder)
        for var oid in objects {
            var object: OpaquePointer?
            try LibGit2.check(git_odb_read(&object, database, &oid), "read \(ObjectID(oid)) from \(path)")
            defer { git_odb_object_free(object) }
            let data = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
            try writer.append(type: git_odb_object_type(object), data)
        }
        return try writer.finish()
    }

    /// Writes `objects`, made in memory, into this repository's object
    /// database, skipping those it has: loose, or, when there are as many
    /// as ``ObjectCopyRoute`` packs, as one pack (not fsynced: the mirror
    /// is a cache, and a push copies the objects durably into the remote).
    /// The objects come in the order given, each after those it points to,
    /// and every one is in the database when this returns.
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
        try stagingPack(into: here, durably: false) { (_, staging) throws(TransportError) in
            let writer = try PackWriter(objectCount: missing.count, inFolder: staging)
            for object in missing {
                try writer.append(type: object.type, object.bytes)
            }
            return try writer.finish()
        }
        // The new pack is not among those the database has listed yet.
        try LibGit2.check(git_odb_refresh(database), "list the packs of \(path) again")
    }
}

/// Writes a pack of whole objects to libgit2's indexer in a folder: no
/// deltas, each object stored or deflated by its size (``Deflater``) in the order
/// appended, the pack's SHA-1 trailer after them; the indexer hashes every
/// object again to name it in the index and checks the trailer.
final class PackWriter {
    private let folder: String
    private let expected: Int
    private var indexer: OpaquePointer?
    private var progress = git_indexer_progress()
    private var hasher = Insecure.SHA1()
    private var buffer: [UInt8] = []
    private let deflater: Deflater

    init(objectCount: Int, inFolder folder: String) throws(TransportError) {
        self.folder = folder
        deflater = try Deflater()
        expected = objectCount
        var options = git_indexer_options()
        try LibGit2.check(
            git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), "prepare a pack index")
        try LibGit2.check(git_indexer_new(&indexer, folder, 0, nil, &options), "start a pack index in \(folder)")
        buffer.reserveCapacity(Repository.packChunk + 64 * 1024)
        buffer += Array("PACK".utf8)
        PackEncoding.appendBigEndian(2, to: &buffer)
        PackEncoding.appendBigEndian(UInt32(objectCount), to: &buffer)
    }

    deinit {
        git_indexer_free(indexer)
    }

    func append(type: git_object_t, _ data: UnsafeRawBufferPointer) throws(TransportError) {
        PackEncoding.appendHeader(type: UInt8(truncatingIfNeeded: type.rawValue), size: data.count, to: &buffer)
        try deflater.append(data, to: &buffer)
        if buffer.count >= Repository.packChunk { try send(hashing: true) }
    }

    func append(type: git_object_t, _ bytes: [UInt8]) throws(TransportError) {
        try bytes.withUnsafeBytes { data in
            Result { () throws(TransportError) in try append(type: type, data) }
        }.get()
    }

    /// Ends the pack; returns the name the indexer gave it (`pack-<name>.pack`).
    func finish() throws(TransportError) -> String {
        try send(hashing: true)
        buffer = Array(hasher.finalize())
        try send(hashing: false)
        try LibGit2.check(git_indexer_commit(indexer, &progress), "finish the pack index in \(folder)")
        guard progress.indexed_objects == UInt32(expected), let name = git_indexer_name(indexer) else {
            throw TransportError(
                .backend, "the pack written in \(folder) holds \(progress.indexed_objects) of \(expected) objects")
        }
        return String(cString: name)
    }

    private func send(hashing: Bool) throws(TransportError) {
        if hashing { hasher.update(data: buffer) }
        let result = buffer.withUnsafeBytes { git_indexer_append(indexer, $0.baseAddress, $0.count, &progress) }
        try LibGit2.check(result, "index the pack written in \(folder)")
        buffer.removeAll(keepingCapacity: true)
    }
}
