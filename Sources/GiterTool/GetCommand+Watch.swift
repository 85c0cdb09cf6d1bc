import Giter

/// `giter get --watch`: after the listing, each change as it arrives.
extension GetCommand {
    /// What happened to a resource between two looks.
    enum WatchEvent: String {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    /// Looks at the remote every `--interval`, and prints each resource of
    /// `query` (and `names`, when given) that was added, changed or deleted
    /// since the last look. Runs until the process is stopped; a look that
    /// fails is reported on standard error and tried again at the next
    /// interval, and ``maximumFailures`` in a row end the watch with the error.
    ///
    /// - Parameters:
    ///   - listed: the resources of the first listing.
    ///   - reported: the unreadable files already reported.
    ///   - header: whether the first table printed needs its header.
    /// How many looks in a row may fail before a watch ends.
    static let maximumFailures = 5

    func watchChanges(
        of kind: String,
        in exchange: Exchange,
        query: ResourceQuery,
        names: [String],
        from listed: [StoredResource<DynamicResource>],
        reported: Set<ResourceKey>,
        header: Bool
    ) async throws {
        let store = exchange.store(kind: kind)
        var known: [ResourceKey: StoredResource<DynamicResource>] = [:]
        for stored in listed { known[stored.key] = stored }
        var reported = reported
        var needsHeader = header
        // The first look lists again: a commit may have come since the listing.
        var revision: StoreRevision?
        var failures = 0
        while true {
            try await Task.sleep(for: interval.duration)
            let current: StoreRevision?
            var resources: [StoredResource<DynamicResource>]
            do {
                current = try await store.refresh()
                guard current != revision else {
                    failures = 0
                    continue
                }
                resources = try await store.list(query)
                failures = 0
            } catch {
                // A look that fails (a server restarting, a lock held for a moment) is tried again at the
                // next interval; only `maximumFailures` in a row end the watch.
                failures += 1
                guard failures < Self.maximumFailures else { throw error }
                let (message, _) = ErrorReporting.describe(error)
                StandardError.write(
                    "warning: \(ErrorReporting.oneLine(message)); trying again (\(failures) of \(Self.maximumFailures))\n")
                continue
            }
            revision = current
            if !names.isEmpty { resources = resources.filter { names.contains($0.resource.metadata.name) } }
            var changes: [(WatchEvent?, StoredResource<DynamicResource>)] = []
            var seen = Set<ResourceKey>()
            for stored in resources {
                seen.insert(stored.key)
                let before = known.updateValue(stored, forKey: stored.key)
                if before == nil {
                    changes.append((.added, stored))
                } else if before != stored {
                    changes.append((.modified, stored))
                }
            }
            // Deleted or archived: printed as they last were, in name order.
            for key in known.keys.filter({ !seen.contains($0) }).sorted(by: { $0.description < $1.description }) {
                guard exchange.unreadable.errors(kind: kind, namespace: key.namespace).allSatisfy({ $0.key != key })
                else { continue }
                if let last = known.removeValue(forKey: key) { changes.append((.deleted, last)) }
            }
            let scope = allNamespaces ? nil : exchange.namespace
            for (key, error) in exchange.unreadable.errors(kind: kind, namespace: scope)
            where names.isEmpty || names.contains(key.name) {
                guard reported.insert(key).inserted else { continue }
                StandardError.write("error: \(ErrorReporting.oneLine(UnreadableFiles.message(key, error)))\n")
            }
            guard !changes.isEmpty else { continue }
            try printWatched(changes, header: needsHeader)
            needsHeader = false
        }
    }

    /// Prints watched resources, each with its event: table rows (with the
    /// header when `header`), or each resource on its own as a YAML
    /// document, a JSON line, a name or the template.
    func printWatched(_ changes: [(WatchEvent?, StoredResource<DynamicResource>)], header: Bool) throws {
        guard !changes.isEmpty else { return }
        let printer = ResourcePrinter(showNamespace: allNamespaces)
        let format = try self.format
        var rows: [[String]]
        switch format {
        case nil, .wide:
            let wide: Bool
            if case .wide = format { wide = true } else { wide = false }
            rows = printer.rows(changes.map(\.1), wide: wide)
        case .customColumns(let columns):
            rows = try printer.rows(changes.map(\.1), columns: columns)
        case .yaml, .json, .name, .jsonPath:
            var text = ""
            for (event, stored) in changes {
                var node = try printer.node([stored], single: true)
                if outputWatchEvents {
                    node = .mapping(["type": .string((event ?? .added).rawValue), "object": node])
                }
                switch format {
                case .yaml: text += "---\n" + YAMLWriter().write(node)
                case .json: text += try JSONWriter().write(node) + "\n"
                case .jsonPath(let template): text += template.render(node)
                default:
                    let name = "\(stored.resource.kind)/\(stored.resource.metadata.name)\n"
                    text += outputWatchEvents ? "\((event ?? .added).rawValue) \(name)" : name
                }
            }
            StandardOutput.write(text)
            return
        }
        if outputWatchEvents {
            rows[0].insert("EVENT", at: 0)
            for (index, change) in changes.enumerated() {
                rows[index + 1].insert((change.0 ?? .added).rawValue, at: 0)
            }
        }
        var text = ResourcePrinter.format(rows)
        if !header, let firstLine = text.firstIndex(of: "\n") { text = String(text[text.index(after: firstLine)...]) }
        StandardOutput.write(text)
    }
}
