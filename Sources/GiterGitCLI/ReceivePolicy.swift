#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Giter

/// What `git-receive-pack` would do for a push into a bare repository on
/// this machine beyond checking objects in and moving the ref under its
/// lock — and so whether a push may skip it (see
/// ``GitCLITransport/pushDirectly(_:expecting:)``). The same rules as the
/// libgit2 backend's (`Documentation/Backends.md`):
/// - the repository is bare and `core.sharedRepository` is unset;
/// - its configuration includes no other file (`include.*`, `includeIf.*`);
/// - no executable `pre-receive`, `update`, `proc-receive`, `post-receive`,
///   `post-update`, `reference-transaction` or `push-to-checkout` hook in
///   the hooks folder (`core.hooksPath`, else `hooks/`);
/// - no `receive.*` / `transfer.*` setting beyond those a direct push
///   honours or that do not apply to it (``harmlessSettings``;
///   `fsckObjects` only when false; `denyNonFastForwards`, since a direct
///   push is always a fast-forward);
/// - automatic maintenance would not start (`receive.autogc`,
///   `maintenance.auto`, `gc.auto` and the loose objects in `objects/17`,
///   counted as `git gc --auto` does).
struct ReceivePolicy: Sendable {
    /// Why the push must go through receive-pack; nil when a direct push is allowed.
    var receivePackReason: String?
    static let hookNames = [
        "pre-receive", "update", "proc-receive", "post-receive", "post-update", "reference-transaction",
        "push-to-checkout",
    ]

    /// Lower-cased `receive.*` / `transfer.*` names a direct push honours or that do not apply to it.
    static let harmlessSettings: Set<String> = [
        "receive.unpacklimit", "transfer.unpacklimit", "receive.denydeletes", "receive.denydeletecurrent",
        "receive.denycurrentbranch", "receive.advertiseatomic", "receive.advertisepushoptions",
        "receive.keepalive", "receive.certnonceseed", "receive.certnonceslop", "receive.shallowupdate",
        "transfer.advertisesid", "receive.denynonfastforwards", "receive.autogc", "receive.fsckobjects",
        "transfer.fsckobjects",
    ]

    /// The policy of the repository at `folder` (ending in "/"), given its
    /// configuration file's settings (lower-cased name → last value, nil
    /// for a bare key). Hooks and loose objects are looked at now.
    init(folder: String, settings: [String: String?]) {
        func flag(_ name: String) -> Bool? { settings[name].map(Self.parseBool) }
        receivePackReason = Self.reason(folder: folder, settings: settings, flag: flag)
    }

    private static func reason(folder: String, settings: [String: String?], flag: (String) -> Bool?) -> String? {
        if settings.keys.contains(where: { $0.hasPrefix("include.") || $0.hasPrefix("includeif.") }) {
            return "its configuration includes other files"
        }
        if flag("core.bare") == false { return "the repository is not bare" }
        if settings["core.sharedrepository"] != nil { return "core.sharedRepository is set" }
        if flag("receive.fsckobjects") ?? flag("transfer.fsckobjects") ?? false { return "receive.fsckObjects is on" }
        for name in settings.keys.sorted() where name.hasPrefix("receive.") || name.hasPrefix("transfer.") {
            if harmlessSettings.contains(name) || name.hasPrefix("receive.fsck.") { continue }
            return "\(name) is set"
        }
        var hooks = folder + "hooks"
        if case .some(.some(let configured)) = settings["core.hookspath"] {
            guard !configured.hasPrefix("~") else { return "core.hooksPath starts with ~" }
            hooks = configured.hasPrefix("/") ? configured : folder + configured
        }
        for name in hookNames where access(hooks + "/" + name, X_OK) == 0 {
            return "it has a \(name) hook"
        }
        if flag("receive.autogc") ?? true, flag("maintenance.auto") ?? true {
            let limit = settings["gc.auto"].flatMap { $0 }.flatMap { Int($0) } ?? 6700
            if limit > 0, looseObjectEstimate(objects: folder + "objects") > (limit + 255) / 256 {
                return "it has enough loose objects for git gc --auto"
            }
        }
        return nil
    }

    /// Git's boolean syntax; a bare key is true, an unreadable value false.
    static func parseBool(_ value: String?) -> Bool {
        guard let value else { return true }
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off", "": return false
        default: return Int(value).map { $0 != 0 } ?? false
        }
    }

    /// The number of loose objects in `objects/17`, as `git gc --auto` counts them.
    static func looseObjectEstimate(objects: String) -> Int {
        guard let folder = opendir(objects + "/17") else { return 0 }
        defer { closedir(folder) }
        var count = 0
        while let entry = readdir(folder) {
            let length = withUnsafeBytes(of: entry.pointee.d_name) { raw in raw.firstIndex(of: 0) ?? raw.count }
            if length == 38 || length == 62 { count += 1 }
        }
        return count
    }
}
