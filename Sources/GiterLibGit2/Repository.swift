internal import CLibGit2
import Giter

/// Owns a `git_repository` handle and frees it when released.
///
/// Not thread-safe (nor is libgit2's handle): a ``MirrorQueue`` confines
/// every use to one serial queue.
final class Repository {
    let pointer: OpaquePointer
    let path: String
    /// The remote "origin" as read from the mirror's configuration, and the
    /// URL it was read for: each ``RemoteSession`` starts from a copy of it
    /// (``originRemote(for:)``) instead of reading the configuration again.
    private var origin: (url: String, remote: OpaquePointer)?

    init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    deinit {
        if let origin { git_remote_free(origin.remote) }
        git_repository_free(pointer)
    }

    /// A new `git_remote` handle for "origin", owned by the caller: a copy
    /// (`git_remote_dup`: name, URLs, refspecs, tag and prune settings) of the
    /// remote read once from the configuration for `url`. Read again when
    /// the URL differs or ``configureRemote(named:url:branch:)`` ran.
    ///
    /// Reading it for every fetch, push and check of the remote cost memory
    /// without bound: libgit2 1.5's `git_remote_lookup` tests the
    /// configuration's entries against `url.*.insteadof` with PCRE2 and leaks
    /// the match data (about 20 KB) of every test that fails (libgit2 pull
    /// request 6382, fixed in 1.6): 12.8 MB over the first sync of 100,000
    /// resources (629 leaked matches), and more at every poll after it.
    func originRemote(for url: String) throws(TransportError) -> OpaquePointer {
        let remote: OpaquePointer
        if let origin, origin.url == url {
            remote = origin.remote
        } else {
            var handle: OpaquePointer?
            try LibGit2.check(git_remote_lookup(&handle, pointer, "origin"), "read remote origin")
            guard let handle else { throw TransportError(.backend, "libgit2 returned no remote") }
            forgetOrigin()
            origin = (url, handle)
            remote = handle
        }
        var copy: OpaquePointer?
        try LibGit2.check(git_remote_dup(&copy, remote), "copy remote origin")
        guard let copy else { throw TransportError(.backend, "libgit2 returned no copy of remote origin") }
        return copy
    }

    /// Drops the remote read by ``originRemote(for:)``: the next session reads the configuration again.
    private func forgetOrigin() {
        if let origin { git_remote_free(origin.remote) }
        origin = nil
    }

    /// Opens the bare repository at `path`, creating it (and missing parent
    /// folders) when there is none, with `HEAD` on `branch`.
    static func openOrCreateBare(at path: String, initialBranch branch: String) throws(TransportError) -> Repository {
        try LibGit2.initialize()
        var handle: OpaquePointer?
        let opened = try LibGit2.check(
            git_repository_open_bare(&handle, path),
            "open the mirror at \(path)",
            allowing: [.notFound]
        )
        if opened == .notFound {
            var options = git_repository_init_options()
            try LibGit2.check(
                git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
                "prepare the mirror's options"
            )
            options.flags = GIT_REPOSITORY_INIT_BARE.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue
                | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
            let head = "refs/heads/\(branch)"
            let result = head.withCString { head in
                options.initial_head = head
                return git_repository_init_ext(&handle, path, &options)
            }
            try LibGit2.check(result, "create the mirror at \(path)")
        }
        guard let handle else { throw TransportError(.backend, "libgit2 returned no repository for \(path)") }
        return Repository(pointer: handle, path: path)
    }

    /// The existing bare repository at `path`, or nil when there is none
    /// libgit2 can open (no repository, a working tree, an unknown format).
    static func openExistingBare(at path: String) -> Repository? {
        guard (try? LibGit2.initialize()) != nil else { return nil }
        var handle: OpaquePointer?
        guard git_repository_open_bare(&handle, path) == 0, let handle else {
            git_error_clear()
            return nil
        }
        return Repository(pointer: handle, path: path)
    }

    /// The repository's own folder (its `GIT_DIR`), with a trailing slash.
    var gitDirectory: String {
        let text = git_repository_path(pointer).map { String(cString: $0) } ?? path
        return text.hasSuffix("/") ? text : text + "/"
    }

    /// The commit `reference` points at in the existing repository at
    /// `path`, read directly (no git process, no object transfer): `.some(nil)`
    /// when the repository has no such ref, `nil` when the repository cannot
    /// be opened (the caller then takes the usual path, which explains why).
    static func referenceTarget(inRepositoryAt path: String, _ reference: String) -> git_oid?? {
        guard (try? LibGit2.initialize()) != nil else { return nil }
        var handle: OpaquePointer?
        guard git_repository_open_bare(&handle, path) == 0, let handle else { return nil }
        defer { git_repository_free(handle) }
        var oid = git_oid()
        switch git_reference_name_to_id(&oid, handle, reference) {
        case 0: return .some(oid)
        case GIT_ENOTFOUND.rawValue: return .some(nil)
        default: return nil
        }
    }

    /// Makes the remote `name` point at `url`, creating it with a fetch
    /// refspec for `branch` only. Writes no credentials.
    func configureRemote(named name: String, url: String, branch: String) throws(TransportError) {
        forgetOrigin()
        var remote: OpaquePointer?
        defer { git_remote_free(remote) }
        let found = try LibGit2.check(git_remote_lookup(&remote, pointer, name), "read remote \(name)", allowing: [.notFound])
        if found == .notFound {
            try LibGit2.check(
                git_remote_create_with_fetchspec(
                    &remote, pointer, name, url, "+refs/heads/\(branch):refs/remotes/\(name)/\(branch)"),
                "create remote \(name) for \(url)"
            )
        } else if let remote, let current = git_remote_url(remote), String(cString: current) != url {
            try LibGit2.check(git_remote_set_url(pointer, name, url), "set the URL of remote \(name)")
        }
    }

    /// The commit `id`; throws `TransportError.Code.objectNotFound` when missing.
    func commit(_ id: ObjectID) throws(TransportError) -> Commit {
        var oid = try id.gitOID()
        return try commit(&oid, describedAs: id.hex)
    }

    func commit(_ oid: inout git_oid, describedAs name: String) throws(TransportError) -> Commit {
        var handle: OpaquePointer?
        try LibGit2.check(git_commit_lookup(&handle, pointer, &oid), "read commit \(name)")
        guard let handle else { throw TransportError(.objectNotFound, "commit \(name) is not in the mirror") }
        return Commit(pointer: handle, owner: self)
    }

    /// The tree `oid`.
    func tree(_ oid: git_oid) throws(TransportError) -> Tree {
        var oid = oid
        var handle: OpaquePointer?
        try LibGit2.check(git_tree_lookup(&handle, pointer, &oid), "read tree \(ObjectID(oid))")
        guard let handle else { throw TransportError(.objectNotFound, "tree \(ObjectID(oid)) is not in the mirror") }
        return Tree(pointer: handle, owner: self)
    }

    /// Whether the object database holds `oid`.
    func contains(_ oid: git_oid) throws(TransportError) -> Bool {
        var oid = oid
        var odb: OpaquePointer?
        try LibGit2.check(git_repository_odb(&odb, pointer), "open the object database")
        defer { git_odb_free(odb) }
        return git_odb_exists(odb, &oid) == 1
    }

    /// The id `reference` points at (following symbolic refs), or nil when it does not exist.
    func referenceTarget(_ reference: String) throws(TransportError) -> git_oid? {
        var oid = git_oid()
        let result = try LibGit2.check(
            git_reference_name_to_id(&oid, pointer, reference),
            "resolve \(reference)",
            allowing: [.notFound]
        )
        return result == .notFound ? nil : oid
    }

    /// Throws `TransportError.Code.invalidArgument` unless `name` is a valid full ref name.
    static func validateReferenceName(_ name: String) throws(TransportError) {
        var valid: Int32 = 0
        try LibGit2.check(git_reference_name_is_valid(&valid, name), "check the ref name \(name)")
        guard valid == 1, name.hasPrefix("refs/") else {
            throw TransportError(.invalidArgument, "'\(name)' is not a valid full ref name (refs/…)")
        }
    }

    /// Writes `bytes` as a blob and returns its id.
    func writeBlob(_ bytes: [UInt8]) throws(TransportError) -> git_oid {
        var oid = git_oid()
        let result = bytes.withUnsafeBytes { raw in
            git_blob_create_from_buffer(&oid, pointer, raw.baseAddress, raw.count)
        }
        try LibGit2.check(result, "write a blob of \(bytes.count) bytes")
        return oid
    }

    /// The contents of blob `id`.
    func blobContents(_ id: ObjectID) throws(TransportError) -> [UInt8] {
        var oid = try id.gitOID()
        var blob: OpaquePointer?
        try LibGit2.check(git_blob_lookup(&blob, pointer, &oid), "read blob \(id)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// The contents of the blobs `ids` names, in order; throws as
    /// ``blobContents(_:)`` does for the first that cannot be read.
    func blobContents(_ ids: [ObjectID]) throws(TransportError) -> [[UInt8]] {
        var contents: [[UInt8]] = []
        contents.reserveCapacity(ids.count)
        for id in ids { contents.append(try blobContents(id)) }
        return contents
    }
}
