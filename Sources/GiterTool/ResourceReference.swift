import Giter

/// Resources named on the command line, kubectl's way: `KIND/NAME ...`, or
/// `KIND NAME ...`. The kind is as typed; ``Exchange`` resolves it.
struct ResourceReference: Hashable {
    /// The kind as typed: `Experiment`, `experiment` or `experiments`.
    var typedKind: String
    var name: String

    /// `KIND/NAME` as typed.
    var description: String { "\(typedKind)/\(name)" }

    /// Parses `KIND/NAME ...` or `KIND NAME ...`.
    ///
    /// - Throws: a usage ``ToolError`` when no name is given or the forms are mixed.
    static func parse(_ arguments: [String]) throws -> [ResourceReference] {
        guard let first = arguments.first else {
            throw ToolError.usage("no resource given: write KIND/NAME, for example Experiment/sort-1")
        }
        if first.contains("/") {
            return try arguments.map { argument in
                let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ToolError.usage("'\(argument)' is not KIND/NAME; for example Experiment/sort-1")
                }
                return ResourceReference(typedKind: String(parts[0]), name: String(parts[1]))
            }
        }
        let names = arguments.dropFirst()
        guard !names.isEmpty else {
            throw ToolError.usage(
                "no name given for '\(first)': write KIND/NAME or KIND NAME, for example \(first)/sort-1"
            )
        }
        return try names.map { name in
            guard !name.contains("/") else {
                throw ToolError.usage("'\(name)' is not a name; write KIND NAME... or KIND/NAME..., not both")
            }
            return ResourceReference(typedKind: first, name: name)
        }
    }

    /// The references grouped by typed kind, in order of first appearance.
    static func grouped(_ references: [ResourceReference]) -> [(typedKind: String, names: [String])] {
        var order: [String] = []
        var names: [String: [String]] = [:]
        for reference in references {
            if names[reference.typedKind] == nil { order.append(reference.typedKind) }
            names[reference.typedKind, default: []].append(reference.name)
        }
        return order.map { ($0, names[$0] ?? []) }
    }
}

/// The live resources of one kind found by name.
struct Lookup {
    /// The kind, as the repository spells it.
    var kind: String
    /// A store of that kind, up to date.
    var store: GitResourceStore<DynamicResource>
    /// The resources found, by name; names not found are missing.
    var found: [String: StoredResource<DynamicResource>]
    /// The resources whose file cannot be read, by name, with the file's error.
    var unreadable: [String: StoreError] = [:]

    /// Throws, for the first name whose file cannot be read, the error that
    /// says where and what to do, after printing one for each other.
    func requireReadable(_ names: [String], namespace: String) throws {
        let bad = names.filter { unreadable[$0] != nil }
        guard let last = bad.last else { return }
        for name in bad {
            guard let error = unreadable[name] else { continue }
            let message = UnreadableFiles.message(key(name, namespace: namespace), error)
            if name == last { throw ToolError(message) }
            StandardError.write("error: \(ErrorReporting.oneLine(message))\n")
        }
    }

    /// The key of `name` in `namespace`.
    func key(_ name: String, namespace: String) -> ResourceKey {
        ResourceKey(namespace: namespace, kind: kind, name: name)
    }

    /// The error for a name not found.
    static func notFound(kind: String, name: String, namespace: String, archived: Bool = false) -> ToolError {
        let what = archived ? "archived \(kind)" : kind
        return ToolError(
            "\(what) \"\(name)\" not found in namespace \"\(namespace)\"; "
                + "list them with 'giter get \(kind)\(archived ? " --archived" : "") -n \(namespace)'"
        )
    }
}

extension Exchange {
    /// Reads the live resources `names` of the kind `typed` names, in the
    /// exchange's namespace; a name whose file cannot be read is in
    /// ``Lookup/unreadable``, not ``Lookup/found``. When some are missing and `typed` is not
    /// exactly a kind of the repository, the kind it matches is read instead.
    func lookup(typed: String, names: [String]) async throws -> Lookup {
        var kind = try await resolveKind(typed)
        while true {
            let store = try await refreshedStore(kind: kind)
            var found: [String: StoredResource<DynamicResource>] = [:]
            var unreadable: [String: StoreError] = [:]
            for name in names {
                do {
                    if let stored = try await store.get(ResourceKey(namespace: namespace, kind: kind, name: name)) {
                        found[name] = stored
                    }
                } catch let error as StoreError where error.isFileError {
                    unreadable[name] = error
                }
            }
            if found.count + unreadable.count < Set(names).count,
                let other = try await kindAfterMiss(typed: typed, kind: kind)
            {
                kind = other
                continue
            }
            return Lookup(kind: kind, store: store, found: found, unreadable: unreadable)
        }
    }
}
