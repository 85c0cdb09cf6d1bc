/// The part of an exchange a reader reads and checks: some namespaces,
/// some kinds, or everything (the default).
///
/// A store with a narrower scope (``StoreOptions/scope``) judges with the
/// contract every commit that changes a file in its scope or outside the
/// resource folders (`.giter/`, `README.md`, …) — the whole commit, files
/// outside the scope included — and, of a commit that changes only files
/// outside its scope, only what needs no file's contents: its author's
/// membership, its signature, a merge, its fencing token. So it never needs
/// the contents of a file outside its scope unless a commit also touches
/// its scope, which is what lets it run on a partial mirror
/// (``RemoteConfiguration/blobFetch``) that downloads only the files it
/// reads. What that cannot prove is said in `Documentation/PartialFetch.md`:
/// `giter verify` and the server's guard still check every file.
///
/// A resource path's namespace and kind are its second and third folder
/// (`resources/<namespace>/<Kind>/…`, `archive/<namespace>/<Kind>/…`); any
/// other path is in every scope.
public struct ReadScope: Sendable, Hashable, CustomStringConvertible {
    /// The namespaces in scope; `nil`: all of them.
    public let namespaces: Set<String>?
    /// The kinds in scope; `nil`: all of them.
    public let kinds: Set<String>?

    /// Every file of the exchange: every commit is judged whole.
    public static let everything = ReadScope(namespaces: nil, kinds: nil)

    /// The resources in `namespaces` (`nil`: any) of `kinds` (`nil`: any).
    public static func only(namespaces: Set<String>? = nil, kinds: Set<String>? = nil) -> ReadScope {
        ReadScope(namespaces: namespaces, kinds: kinds)
    }

    private init(namespaces: Set<String>?, kinds: Set<String>?) {
        self.namespaces = namespaces
        self.kinds = kinds
    }

    /// Whether this scope is the whole exchange.
    public var isEverything: Bool { namespaces == nil && kinds == nil }

    /// Whether the file at `path` is in scope: every path that is not under
    /// a namespace and kind folder of `resources/` or `archive/` is.
    public func contains(path: String) -> Bool {
        if isEverything { return true }
        let parts = path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0] == ResourceKey.resourcesFolder || parts[0] == ResourceKey.archiveFolder else {
            return true
        }
        return contains(namespace: String(parts[1]), kind: String(parts[2]))
    }

    /// Whether the resources of `kind` in `namespace` are in scope.
    public func contains(namespace: String, kind: String) -> Bool {
        (namespaces?.contains(namespace) ?? true) && (kinds?.contains(kind) ?? true)
    }

    /// Whether the resource `key` is in scope.
    public func contains(_ key: ResourceKey) -> Bool {
        contains(namespace: key.namespace, kind: key.kind)
    }

    public var description: String {
        if isEverything { return "everything" }
        let namespaces = self.namespaces.map { $0.sorted().joined(separator: ",") } ?? "*"
        let kinds = self.kinds.map { $0.sorted().joined(separator: ",") } ?? "*"
        return "namespaces \(namespaces), kinds \(kinds)"
    }
}
