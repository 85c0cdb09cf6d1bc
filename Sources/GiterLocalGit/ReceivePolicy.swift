/// What `git-receive-pack` would do for a push into a repository on this
/// machine beyond checking objects in and moving the ref under its lock —
/// and so whether a backend may skip it and write the objects and the ref
/// itself (the "direct" push; `Documentation/Backends.md`). One definition
/// for both backends.
///
/// A direct push is allowed only when receive-pack would do nothing else:
/// - the configuration includes no other file (`include.*`, `includeIf.*`):
///   the rules cannot prove what an included file sets;
/// - the repository is bare (`core.bare` not false) and
///   `core.sharedRepository` is unset (new files would need its permissions);
/// - `core.logAllRefUpdates` is unset or false, and the refs are files
///   (no `reftable` folder): the direct route moves the ref itself
///   (``ReferenceLock``) and writes no reflog;
/// - no executable hook that receive-pack or a ref update runs exists in
///   the hooks folder (`core.hooksPath`, else `hooks/`): ``hookNames``;
/// - no `receive.*` or `transfer.*` setting asks for more than the direct
///   push does (``harmlessSettings``; `fsckObjects` only when false, with
///   the `receive.fsck.*` details it then ignores). Anything else —
///   `hideRefs`, `maxInputSize`, `updateServerInfo`, `procReceiveRefs`,
///   settings Git may add later — means receive-pack;
/// - receive-pack would not start automatic maintenance now: with
///   `receive.autogc` (default true), ``automaticMaintenanceReason(_:settings:)``
///   (the one home of that rule) finds no reason; past its thresholds the
///   push goes through receive-pack, which then packs the objects;
/// - every value read is one Git accepts: a value Git would refuse (a
///   boolean `receive.autogc = maybe`) makes receive-pack run, and say so.
///
/// Only the repository's own configuration counts: the spawned
/// receive-pack runs with `GIT_CONFIG_NOSYSTEM=1` and `GIT_CONFIG_GLOBAL=/dev/null`.
package struct ReceivePolicy: Equatable, Sendable {
    /// Why the push must go through receive-pack; nil when a direct push is allowed.
    package let receivePackReason: String?
    /// `receive.denyNonFastForwards`: a direct push must then be a fast-forward.
    package let deniesNonFastForwards: Bool
    /// The fewest objects receive-pack keeps as one pack rather than as
    /// loose objects: `receive.unpackLimit`, else `transfer.unpackLimit`,
    /// else 100 (Git's defaults; ``ObjectCopyRoute``).
    package let unpackLimit: Int

    /// The hooks that receive-pack or a ref update runs.
    package static let hookNames = [
        "pre-receive", "update", "proc-receive", "post-receive", "post-update", "reference-transaction",
        "push-to-checkout",
    ]

    /// Settings under `receive.` and `transfer.` that a direct push honours
    /// or that do not apply to it (lower-cased). `fsckObjects` is read on
    /// its own; `denyNonFastForwards` through ``deniesNonFastForwards``.
    package static let harmlessSettings: Set<String> = [
        "receive.unpacklimit", "transfer.unpacklimit", "receive.denydeletes", "receive.denydeletecurrent",
        "receive.denycurrentbranch", "receive.advertiseatomic", "receive.advertisepushoptions",
        "receive.keepalive", "receive.certnonceseed", "receive.certnonceslop", "receive.shallowupdate",
        "transfer.advertisesid", "receive.denynonfastforwards", "receive.autogc", "receive.fsckobjects",
        "transfer.fsckobjects",
    ]

    /// The default of `gc.auto`.
    package static let defaultAutoGCLimit = 6700
    /// The default of `gc.autoPackLimit`.
    package static let defaultAutoPackLimit = 50
    /// The default of `receive.unpackLimit` and `transfer.unpackLimit`.
    package static let defaultUnpackLimit = 100

    /// The policy of `repository` given its configuration `settings` (read
    /// now or kept from an earlier read); the hooks and the loose objects
    /// are looked at now.
    package init(repository: LocalRepository, settings: ReceiveSettings) {
        let values = settings.values
        let denies = values["receive.denynonfastforwards"].map(GitConfigValue.boolean) ?? false
        deniesNonFastForwards = denies ?? true
        let unpackLimit = (values["receive.unpacklimit"] ?? values["transfer.unpacklimit"]).map(GitConfigValue.integer)
        self.unpackLimit = (unpackLimit ?? Self.defaultUnpackLimit) ?? Self.defaultUnpackLimit
        receivePackReason = Self.reason(repository: repository, settings: settings)
    }

    private static func reason(repository: LocalRepository, settings: ReceiveSettings) -> String? {
        let values = settings.values
        if settings.includesFiles { return "its configuration includes other files" }
        /// The boolean `name`: nil when unset, `.some(nil)` when Git would not read it.
        func flag(_ name: String) -> Bool?? { values[name].map(GitConfigValue.boolean) }
        for name in ["core.bare", "receive.fsckobjects", "transfer.fsckobjects", "receive.denynonfastforwards",
                     "receive.autogc", "maintenance.auto"] where flag(name) == .some(nil) {
            return "\(name) is not a boolean Git reads"
        }
        if settings.hasWorkingTree { return "the repository is not bare" }
        if values["core.sharedrepository"] != nil { return "core.sharedRepository is set" }
        // The direct route moves refs itself (``ReferenceLock/update(from:to:)``) and writes no reflog.
        if let logs = flag("core.logallrefupdates"), logs != false { return "core.logAllRefUpdates is set" }
        if !repository.keepsReferencesInFiles { return "its refs are kept in a reftable" }
        if (flag("receive.fsckobjects") ?? flag("transfer.fsckobjects")) == true { return "receive.fsckObjects is on" }
        for name in ["receive.unpacklimit", "transfer.unpacklimit"] {
            if case .some(let value) = values[name], GitConfigValue.integer(value) == nil {
                return "\(name) is not a number Git reads"
            }
        }
        for name in values.keys.sorted() where name.hasPrefix("receive.") || name.hasPrefix("transfer.") {
            if harmlessSettings.contains(name) || name.hasPrefix("receive.fsck.") { continue }
            return "\(name) is set"
        }
        let hooks: String
        switch repository.hooksFolder(configured: values["core.hookspath"]) {
        case .folder(let folder): hooks = folder
        case .unusable(let reason): return reason
        }
        for name in hookNames where Platform.isExecutable(hooks + "/" + name) {
            return "it has a \(name) hook"
        }
        if (flag("receive.autogc") ?? true) == true { return automaticMaintenanceReason(repository, settings: values) }
        return nil
    }

    /// Why `git maintenance run --auto` (`git gc --auto`) would find work in
    /// `repository` given its configuration `values`, or nil when it would
    /// not: `maintenance.auto` not off, and more loose objects than
    /// `gc.auto` (default 6,700; 0 turns both checks off) as Git estimates
    /// them (``LocalRepository/looseObjectSample``, more than `gc.auto` ÷
    /// 256 rounded up), or more packs than `gc.autoPackLimit` (default 50)
    /// as ``LocalRepository/packCount`` counts them. A value Git would not
    /// read is a reason too: the caller lets Git decide.
    package static func automaticMaintenanceReason(_ repository: LocalRepository, settings values: [String: String?])
        -> String?
    {
        if case .some(let value) = values["maintenance.auto"] {
            guard let enabled = GitConfigValue.boolean(value) else { return "maintenance.auto is not a boolean Git reads" }
            if !enabled { return nil }
        }
        var limit = defaultAutoGCLimit
        if case .some(let value) = values["gc.auto"] {
            guard let configured = GitConfigValue.integer(value) else { return "gc.auto is not a number Git reads" }
            limit = configured
        }
        if limit > 0, repository.looseObjectSample > (limit + 255) / 256 {
            return "it has enough loose objects for git gc --auto"
        }
        var packLimit = defaultAutoPackLimit
        if case .some(let value) = values["gc.autopacklimit"] {
            guard let configured = GitConfigValue.integer(value) else {
                return "gc.autoPackLimit is not a number Git reads"
            }
            packLimit = configured
        }
        if limit > 0, packLimit > 0, repository.packCount > packLimit {
            return "it has enough packs for git gc --auto"
        }
        return nil
    }
}
