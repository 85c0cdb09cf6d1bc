internal import CLibGit2
import Giter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `git-receive-pack` would do for a push into a repository on this
/// machine beyond checking objects in and moving the ref under its lock —
/// and so whether a push may skip it and write the objects and the ref
/// itself (``Repository/pushDirectly(_:expecting:to:_:targets:)``).
///
/// A direct push is allowed only when receive-pack would do nothing else:
/// - the repository is bare (`core.bare` not false) and `core.sharedRepository`
///   is unset (libgit2 would not give new files the shared permissions);
/// - no executable hook that receive-pack or a ref update runs exists in
///   the hooks folder (`core.hooksPath`, else `hooks/`): `pre-receive`,
///   `update`, `proc-receive`, `post-receive`, `post-update`,
///   `reference-transaction`, `push-to-checkout`;
/// - no `receive.*` or `transfer.*` setting asks for more than the direct
///   push does. Allowed: `unpackLimit`, `denyDeletes`, `denyDeleteCurrent`,
///   `denyCurrentBranch` (bare only), `advertiseAtomic`,
///   `advertisePushOptions`, `keepAlive`, `certNonceSeed`, `certNonceSlop`,
///   `shallowUpdate`, `transfer.advertiseSID`, `fsckObjects` when false (and
///   the `receive.fsck.*` / `fetch.fsck.*` details it then ignores),
///   `denyNonFastForwards` (the push checks ancestry and leaves refused
///   pushes to receive-pack), and `autogc` (see below). Anything else —
///   `fsckObjects` true, `hideRefs`, `maxInputSize`, `updateServerInfo`,
///   `procReceiveRefs`, settings Git may add later — means receive-pack;
/// - receive-pack would not start automatic maintenance now: with
///   `receive.autogc` (default true), `maintenance.auto` (default true) and
///   `gc.auto` > 0 (default 6700), the loose objects are counted the way
///   `git gc --auto` estimates them (the files in `objects/17`); past the
///   threshold the push goes through receive-pack, which then packs them.
///
/// Only the repository's own configuration counts (and what it includes):
/// libgit2 reads no system or global file here, and the spawned
/// receive-pack runs with `GIT_CONFIG_NOSYSTEM=1` and `GIT_CONFIG_GLOBAL=/dev/null`.
struct ReceivePolicy {
    /// Why the push must go through receive-pack; nil when a direct push is allowed.
    let receivePackReason: String?
    /// `receive.denyNonFastForwards`.
    let deniesNonFastForwards: Bool

    static let hookNames = [
        "pre-receive", "update", "proc-receive", "post-receive", "post-update", "reference-transaction",
        "push-to-checkout",
    ]

    /// Settings under `receive.` and `transfer.` that a direct push honours
    /// or that do not apply to it (lower-cased, as libgit2 names them).
    private static let harmlessSettings: Set<String> = [
        "receive.unpacklimit", "transfer.unpacklimit", "receive.denydeletes", "receive.denydeletecurrent",
        "receive.denycurrentbranch", "receive.advertiseatomic", "receive.advertisepushoptions",
        "receive.keepalive", "receive.certnonceseed", "receive.certnonceslop", "receive.shallowupdate",
        "transfer.advertisesid", "receive.denynonfastforwards", "receive.autogc", "receive.fsckobjects",
        "transfer.fsckobjects",
    ]

    /// The part of a repository's configuration the policy reads: what
    /// ``DirectPushTarget`` keeps from one push to the next while the
    /// configuration file is unchanged.
    struct Settings {
        /// Lower-cased name → last value (nil for a bare key, which means true).
        let values: [String: String?]
        /// Whether the configuration includes other files (`include.*`,
        /// `includeIf.*`), whose changes the configuration file's own
        /// stamp does not show.
        let includesFiles: Bool

        /// Reads the settings of `remote`'s configuration as it is on disk now.
        init(remote: Repository) throws(TransportError) {
            (values, includesFiles) = try ReceivePolicy.settings(of: remote)
        }

        /// Whether `core.bare` is false: the repository belongs to a working tree.
        var hasWorkingTree: Bool {
            values["core.bare"].map { ReceivePolicy.parseBool($0) } == false
        }
    }

    /// The policy of `remote` as its configuration, hooks and object
    /// folder are now.
    init(remote: Repository) throws(TransportError) {
        self.init(gitDirectory: remote.gitDirectory, settings: try Settings(remote: remote))
    }

    /// The policy given configuration `settings` read earlier; the hooks
    /// and the loose objects are looked at now.
    init(gitDirectory: String, settings: Settings) {
        let values = settings.values
        func flag(_ name: String) -> Bool? { values[name].map { Self.parseBool($0) } }
        deniesNonFastForwards = flag("receive.denynonfastforwards") ?? false
        receivePackReason = Self.reason(repositoryFolder: gitDirectory, settings: values, flag: flag)
    }

    private static func reason(
        repositoryFolder: String, settings: [String: String?], flag: (String) -> Bool?
    ) -> String? {
        if flag("core.bare") == false { return "the repository is not bare" }
        if settings["core.sharedrepository"] != nil { return "core.sharedRepository is set" }
        let fsck = flag("receive.fsckobjects") ?? flag("transfer.fsckobjects") ?? false
        if fsck { return "receive.fsckObjects is on" }
        for name in settings.keys.sorted() where name.hasPrefix("receive.") || name.hasPrefix("transfer.") {
            if harmlessSettings.contains(name) || name.hasPrefix("receive.fsck.") { continue }
            return "\(name) is set"
        }
        var hooks = repositoryFolder + "hooks"
        if case .some(.some(let configured)) = settings["core.hookspath"] {
            guard !configured.hasPrefix("~") else { return "core.hooksPath starts with ~" }
            hooks = configured.hasPrefix("/") ? configured : repositoryFolder + configured
        }
        for name in hookNames where access(hooks + "/" + name, X_OK) == 0 {
            return "it has a \(name) hook"
        }
        if flag("receive.autogc") ?? true, flag("maintenance.auto") ?? true {
            let limit = settings["gc.auto"].flatMap { $0 }.flatMap { Int($0) } ?? 6700
            if limit > 0, looseObjectEstimate(objects: repositoryFolder + "objects") > (limit + 255) / 256 {
                return "it has enough loose objects for git gc --auto"
            }
        }
        return nil
    }

    /// Every setting of the repository's configuration under the sections
    /// that matter (lower-cased name → last value; nil for a bare key, which
    /// means true), and whether the configuration includes other files.
    fileprivate static func settings(of remote: Repository) throws(TransportError)
        -> (values: [String: String?], includesFiles: Bool)
    {
        var config: OpaquePointer?
        try LibGit2.check(git_repository_config_snapshot(&config, remote.pointer), "read the remote's configuration")
        defer { git_config_free(config) }
        var iterator: OpaquePointer?
        try LibGit2.check(
            git_config_iterator_glob_new(&iterator, config, "^(receive|transfer|core|gc|maintenance|include|includeif)\\."),
            "read the remote's configuration")
        defer { git_config_iterator_free(iterator) }
        var result: [String: String?] = [:]
        var includesFiles = false
        var entry: UnsafeMutablePointer<git_config_entry>?
        while git_config_next(&entry, iterator) == 0, let current = entry {
            guard let name = current.pointee.name else { continue }
            let key = String(cString: name).lowercased()
            if key.hasPrefix("include.") || key.hasPrefix("includeif.") {
                includesFiles = true
                continue
            }
            result[key] = .some(current.pointee.value.map { String(cString: $0) })
        }
        return (result, includesFiles)
    }

    /// Git's boolean syntax; a bare key is true, an unreadable value false.
    fileprivate static func parseBool(_ value: String?) -> Bool {
        guard let value else { return true }
        var result: Int32 = 0
        if git_config_parse_bool(&result, value) == 0 { return result != 0 }
        return Int(value).map { $0 != 0 } ?? false
    }

    /// The number of loose objects in `objects/17`, as `git gc --auto` counts them.
    private static func looseObjectEstimate(objects: String) -> Int {
        guard let folder = opendir(objects + "/17") else { return 0 }
        defer { closedir(folder) }
        var count = 0
        while let entry = readdir(folder) {
            let length = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw.firstIndex(of: 0) ?? raw.count
            }
            if length == 38 || length == 62 { count += 1 }
        }
        return count
    }
}
