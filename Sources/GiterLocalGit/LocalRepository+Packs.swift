package import Giter

/// How a backend copies objects into a repository on this machine (a
/// direct push into the remote, a direct fetch into the mirror): as loose
/// object files, or as one pack with its index — Git's own choice for a
/// push, made on the same number (`receive.unpackLimit`): receive-pack
/// unpacks fewer objects than the limit and keeps a pack of more.
package enum ObjectCopyRoute: Equatable, Sendable {
    case loose
    case pack

    /// The route for `count` objects into `repository`, whose receive
    /// settings give `unpackLimit`: a pack when `count` reaches it and
    /// the repository has no more packs than `packLimit` (so that copies
    /// alone never make lookups walk an ever longer list of packs: past it,
    /// loose objects, which `git gc --auto` counts too); loose otherwise.
    package static func route(
        objectCount count: Int, unpackLimit: Int, into repository: LocalRepository,
        packLimit: Int = ReceivePolicy.defaultAutoPackLimit
    ) -> ObjectCopyRoute {
        guard count > 0, count >= unpackLimit else { return .loose }
        return repository.packCount < packLimit ? .pack : .loose
    }
}

extension LocalRepository {
    /// The folder packs and their indexes are kept in (`objects/pack`).
    package var packFolder: String { objectsFolder + "/pack" }

    /// The number of packs `git gc --auto` counts against `gc.autoPackLimit`:
    /// the `.pack` files of ``packFolder`` that have an index and no `.keep` file.
    package var packCount: Int {
        let names = Set(Platform.entryNames(in: packFolder))
        return names.count { name in
            guard name.hasSuffix(".pack") else { return false }
            let base = name.dropLast(".pack".count)
            return names.contains(base + ".idx") && !names.contains(base + ".keep")
        }
    }

    /// Writes an object of `type` holding `contents` as a loose object
    /// file, as `git hash-object -w` does (`type size\0contents` as a zlib
    /// stream, ``Deflater``; read-only; not fsynced, Git's default for loose
    /// objects), unless the file exists already; returns its name: `id`
    /// when the caller named it already (``PackFileWriter/name(of:_:)``),
    /// else computed here. SHA-1 repositories only.
    @discardableResult
    package func writeLooseObject(
        _ type: PackObjectType, _ contents: [UInt8], named id: ObjectID? = nil, deflater: Deflater
    ) throws(TransportError) -> ObjectID {
        let id = id ?? PackFileWriter.name(of: type, contents)
        let path = looseObjectPath(id)
        if Platform.exists(path) { return id }
        var stream: [UInt8] = []
        stream.reserveCapacity(contents.count + 64)
        let object = Array("\(type.name) \(contents.count)\0".utf8) + contents
        try object.withUnsafeBytes { raw in
            Result { () throws(TransportError) in try deflater.append(raw, to: &stream) }
        }.get()
        try Platform.createDurably(stream, at: path, mode: 0o444, durably: false)
        return id
    }

    /// A new empty folder inside ``packFolder`` for a pack being written
    /// (`tmp_giter_pack_XXXXXX`); ``installPack(_:from:durably:)`` moves the
    /// pack out of it and removes it. A folder left by a killed process
    /// holds no object Git reads (Git looks only at `objects/pack/*.idx`).
    package func makePackStagingFolder() throws(TransportError) -> String {
        try Platform.createFolders(packFolder)
        return try Platform.makeTemporaryFolder(packFolder + "/tmp_giter_pack_")
    }

    /// Moves the pack `name` (`<name>.pack` and `<name>.idx`, as the writer
    /// named them) from `staging` into ``packFolder`` and removes `staging`.
    ///
    /// In Git's order: the pack first, its index last, so that an index Git
    /// can see always has its pack beside it (Git ignores a pack without an
    /// index). `durably`: both files are fsynced before they are moved and
    /// the pack folder after, so that nothing moves a ref onto these
    /// objects before they would survive a power loss — the rule a direct
    /// push keeps (`Documentation/Reliability.md`). An existing file of the
    /// same name (the same pack, written before) is kept.
    package func installPack(_ name: String, from staging: String, durably: Bool) throws(TransportError) {
        defer { Platform.removeFolder(staging) }
        let files = [name + ".pack", name + ".idx"]
        if durably {
            for file in files { try Platform.syncFile(staging + "/" + file) }
        }
        for file in files {
            let destination = packFolder + "/" + file
            if Platform.exists(destination) { continue }
            guard try Platform.move(staging + "/" + file, to: destination) else {
                throw TransportError(.backend, "the pack file \(staging)/\(file) was not written")
            }
        }
        if durably { Platform.syncFolder(packFolder) }
    }

    /// Copies the pack `name` (its `.pack` and `.idx`) of `source` into
    /// this repository's ``packFolder`` through a staging folder, as
    /// ``installPack(_:from:durably:)`` moves it: the way a direct push
    /// hands over a commit the git CLI backend wrote as one pack. False,
    /// copying nothing, when `source` no longer has it. With `durably`, a
    /// pack this repository has already is fsynced again with its folder
    /// (an earlier copy may have been cut off before its folder was).
    package func copyPack(_ name: String, from source: LocalRepository, durably: Bool) throws(TransportError) -> Bool {
        let files = [name + ".pack", name + ".idx"]
        if Platform.exists(packFolder + "/" + name + ".idx") {
            if durably {
                for file in files { try Platform.syncFile(packFolder + "/" + file) }
                Platform.syncFolder(packFolder)
            }
            return true
        }
        let staging = try makePackStagingFolder()
        do throws(TransportError) {
            for file in files {
                guard try Platform.copyFile(source.packFolder + "/" + file, to: staging + "/" + file) else {
                    Platform.removeFolder(staging)
                    return false
                }
            }
        } catch {
            Platform.removeFolder(staging)
            throw error
        }
        try installPack(name, from: staging, durably: durably)
        return true
    }
}
