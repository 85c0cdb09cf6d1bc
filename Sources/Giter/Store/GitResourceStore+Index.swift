import Logging

extension GitResourceStore {
    /// Where this store keeps its ``ReadIndex`` in the mirror; `nil` when the
    /// kind and branch cannot name a local value (then it is built in each process).
    var readIndexName: LocalValueName? {
        try? LocalValueName("indexes/\(resourceType.kind)/\(transport.configuration.branch)")
    }

    /// The live resource with `key` read by its path at the tip: the one
    /// tree entry, then the one blob (the file in force where the contract's
    /// check pinned another). What ``get(_:)`` does until the view's index
    /// of the kind is built.
    func getByPath(_ key: ResourceKey, at tip: ObjectID) async throws -> StoredResource<Resource>? {
        let path = key.repositoryPath
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let entry = try await transport.changes(from: nil, to: tip, under: folder).first { $0.path == path }
        let id = ledgerState.map { $0.blob(at: path, tree: entry?.newID) } ?? entry?.newID
        guard let id else { return nil }
        if id == entry?.newID, let mode = entry?.newMode, !mode.isFile {
            throw StoreError.irregularEntry(path, mode: mode)
        }
        return try await stored(key: key, blob: id, archived: false)
    }

    /// Builds the view's index of the kind at the tip when the first refresh
    /// left it to be built on demand (``advance(to:checked:)``): from the
    /// ``ReadIndex`` kept in the mirror, brought up to date from the diff of
    /// its commit's tree to the tip's, or from the tip's whole tree when there
    /// is none that reads back. The result is what the first refresh would
    /// have built, events included.
    func ensureIndex() async throws {
        while indexPending, let tip {
            let index = try await readIndex(at: tip)
            // A refresh may have moved the view while the index was read: build again.
            guard indexPending, self.tip == tip else { continue }
            install(index)
            indexPending = false
        }
    }

    /// The index of the tip's tree, saved in the mirror when it changed.
    private func readIndex(at tip: ObjectID) async throws -> ReadIndex {
        let kind = resourceType.kind
        var index: ReadIndex?
        if let name = readIndexName {
            do {
                if let bytes = try await transport.localValue(named: name) {
                    index = ReadIndex.decode(bytes, kind: kind)
                    if index == nil { logger.info("the read index \(name) does not read back; rebuilding it") }
                }
            } catch {
                logger.debug("could not read the read index \(name): \(error)")
            }
        }
        let saved = index
        if var current = index, current.commit != tip {
            do {
                current.apply(try await transport.changes(from: current.commit, to: tip, under: nil), to: tip)
                index = current
            } catch {
                logger.info("the read index's commit \(current.commit.hex) cannot be diffed to \(tip.hex): rebuilding it")
                index = nil
            }
        }
        let result: ReadIndex
        if let index {
            result = index
        } else {
            result = ReadIndex(kind: kind, commit: tip, tree: try await transport.changes(from: nil, to: tip, under: nil))
        }
        if result != saved { await save(result) }
        return result
    }

    /// Fills the view from `index` (the tip's tree) and the files the
    /// contract's check keeps in force where they differ from it.
    private func install(_ index: ReadIndex) {
        live.removeAll(keepingCapacity: true)
        archived.removeAll(keepingCapacity: true)
        irregular.removeAll(keepingCapacity: true)
        let pins = ledgerState?.pins ?? [:]
        // One table of the final size, not a doubling of it with the one before beside it.
        live.reserveCapacity(index.entries.count)
        var changes: [PathChange] = []
        changes.reserveCapacity(index.entries.count + pins.count)
        for (path, entry) in index.entries {
            changes.append(PathChange(path: path, oldID: nil, oldMode: nil, newID: entry.blob, newMode: entry.mode))
            let liveKey = ResourceKey(repositoryPath: path)
            guard let key = liveKey ?? ResourceKey(archivePath: path), key.kind == resourceType.kind else { continue }
            let id = pins.isEmpty ? entry.blob : ledgerState?.blob(at: path, tree: entry.blob)
            if liveKey != nil { live[key] = InlineObjectID(id) } else { archived[key] = InlineObjectID(id) }
            if id == entry.blob, !entry.mode.isFile { irregular[path] = entry.mode }
        }
        for (path, id) in pins where index.entries[path] == nil {
            let liveKey = ResourceKey(repositoryPath: path)
            guard let key = liveKey ?? ResourceKey(archivePath: path), key.kind == resourceType.kind else { continue }
            if liveKey != nil { live[key] = InlineObjectID(id) } else { archived[key] = InlineObjectID(id) }
            changes.append(PathChange(path: path, oldID: nil, oldMode: nil, newID: nil, newMode: nil))
        }
        changes.sort { $0.path < $1.path }
        reportLayoutProblems(in: changes)
        lastDiff = (from: nil, to: index.commit, changes: changes)
        // At 100,000 resources the index's table holds 12 MB beside the view (`live`): a store that never lists
        // lets it go.
        readIndex = keepsReadIndex ? index : nil
        readIndexLetGo = !keepsReadIndex
    }

    /// Reads the ``ReadIndex`` again, at the tip, when the view was built
    /// from one that was let go (``install(_:)``): for a store that lists
    /// after it only followed changes. A failure only costs the selection
    /// its shortcut (every file is read), so it is logged, not thrown.
    func reloadReadIndex() async {
        guard readIndexLetGo, !indexPending, let tip else { return }
        readIndexLetGo = false
        do {
            let index = try await readIndex(at: tip)
            if readIndex == nil { readIndex = index }
        } catch {
            logger.debug("could not read the read index again: \(error)")
        }
    }

    /// Keeps `index` in the mirror. A failure only costs the next process a
    /// longer read, so it is logged, not thrown.
    func save(_ index: ReadIndex) async {
        guard let name = readIndexName else { return }
        do {
            try await transport.storeLocalValue(index.encoded(), named: name)
        } catch {
            logger.debug("could not save the read index \(name): \(error)")
        }
    }

    /// The labels the index knows for blob `id` at `path`.
    func indexedLabels(at path: String, blob id: ObjectID) -> [String: String]? {
        readIndex?.labels(at: path, blob: id)
    }

    /// Records the labels of a file just read, for the next selection;
    /// whether the index changed.
    func learnLabels(_ labels: [String: String], at path: String, blob id: ObjectID) -> Bool {
        guard var index = readIndex, index.commit == tip else { return false }
        // Taken out while it changes, so that its table is not copied: once per resource of a list, a copy would cost the square.
        readIndex = nil
        defer { readIndex = index }
        return index.learn(labels, at: path, blob: id)
    }
}
