internal import CLibGit2
import Crypto
import Giter
import GiterLocalGit

extension Repository {
    /// The most bytes of a pack held in memory before they go to the indexer.
    static let packChunk = 1 << 20

    /// Writes `objects` of this repository as one pack with its index into
    /// `target`'s `objects/pack`, without deltas: each object whole,
    /// deflated at zlib's fastest level, in the order given, the pack's
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
        var options = git_indexer_options()
        try LibGit2.check(
            git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), "prepare a pack index")
        var indexer: OpaquePointer?
        try LibGit2.check(git_indexer_new(&indexer, folder, 0, nil, &options), "start a pack index in \(folder)")
        defer { git_indexer_free(indexer) }
        var progress = git_indexer_progress()
        var hasher = Insecure.SHA1()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.packChunk + 64 * 1024)
        func send(hashing: Bool) throws(TransportError) {
            if hashing { hasher.update(data: buffer) }
            let result = buffer.withUnsafeBytes { git_indexer_append(indexer, $0.baseAddress, $0.count, &progress) }
            try LibGit2.check(result, "index the pack written in \(folder)")
            buffer.removeAll(keepingCapacity: true)
        }

        buffer += Array("PACK".utf8)
        PackEncoding.appendBigEndian(2, to: &buffer)
        PackEncoding.appendBigEndian(UInt32(objects.count), to: &buffer)
        for var oid in objects {
            var object: OpaquePointer?
            try LibGit2.check(git_odb_read(&object, database, &oid), "read \(ObjectID(oid)) from \(path)")
            defer { git_odb_object_free(object) }
            let size = git_odb_object_size(object)
            let data = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: size)
            PackEncoding.appendHeader(type: UInt8(truncatingIfNeeded: git_odb_object_type(object).rawValue), size: size, to: &buffer)
            try PackEncoding.appendDeflated(data, to: &buffer)
            if buffer.count >= Self.packChunk { try send(hashing: true) }
        }
        try send(hashing: true)
        buffer = Array(hasher.finalize())
        try send(hashing: false)
        try LibGit2.check(git_indexer_commit(indexer, &progress), "finish the pack index in \(folder)")
        guard progress.indexed_objects == UInt32(objects.count), let name = git_indexer_name(indexer) else {
            throw TransportError(
                .backend, "the pack written in \(folder) holds \(progress.indexed_objects) of \(objects.count) objects")
        }
        return String(cString: name)
    }
}

/// The pieces of Git's pack format (`gitformat-pack(5)`, version 2) that a pack without deltas needs.
enum PackEncoding {
    static func appendBigEndian(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// An object's header: its type (1 commit, 2 tree, 3 blob, 4 tag) and
    /// its size, four bits in the first byte and seven in each next one,
    /// the high bit saying that another byte follows.
    static func appendHeader(type: UInt8, size: Int, to buffer: inout [UInt8]) {
        var byte = type << 4 | UInt8(size & 0x0F)
        var rest = size >> 4
        while rest > 0 {
            buffer.append(byte | 0x80)
            byte = UInt8(rest & 0x7F)
            rest >>= 7
        }
        buffer.append(byte)
    }

    /// `data` as one zlib stream at the fastest level.
    static func appendDeflated(_ data: UnsafeRawBufferPointer, to buffer: inout [UInt8]) throws(TransportError) {
        let bound = Int(compressBound(uLong(data.count)))
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: bound))
        var length = uLongf(bound)
        let status = buffer.withUnsafeMutableBufferPointer { output in
            compress2(
                output.baseAddress! + start, &length, data.baseAddress?.assumingMemoryBound(to: Bytef.self),
                uLong(data.count), Z_BEST_SPEED)
        }
        guard status == Z_OK else { throw TransportError(.backend, "zlib could not deflate an object (\(status))") }
        buffer.removeLast(bound - Int(length))
    }
}
