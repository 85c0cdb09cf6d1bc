import GiterCodec
import GiterSchema

extension ContractChecker {
    /// The violations of one change if `party` made it; empty: the party may.
    func judge(
        _ change: PathChange, in changes: [PathChange], by party: ExchangePolicy.Party, commit: CommitInfo, files: inout FileReader
    ) async throws -> [ContractViolation] {
        let path = change.path
        switch ChangedPath(path) {
        case .administration:
            if party.role == .admin || contract.policy == nil { return [] }
            return [violation(commit, path, .role, "only an admin party writes .giter/ and README.md; \(party.name) is a \(party.role)")]
        case .other:
            if contract.policy == nil { return [] }
            return [
                violation(
                    commit, path, .path,
                    "no party may write here: an exchange holds resources/, archive/, .giter/ and README.md")
            ]
        case .resource(let key):
            guard party.role != .admin else {
                return [violation(commit, path, .role, "an admin party writes only .giter/ and README.md, not resources")]
            }
            guard party.covers(key) else { return [outOfScope(key, party: party, commit: commit, path: path)] }
            return party.role == .producer
                ? try await producerChange(change, key: key, commit: commit, files: &files)
                : try await consumerChange(change, in: changes, key: key, commit: commit, files: &files)
        case .archive(let key):
            guard party.role == .producer else {
                return [violation(commit, path, .role, "only a producer archives; \(party.name) is a \(party.role)")]
            }
            guard party.covers(key) else { return [outOfScope(key, party: party, commit: commit, path: path)] }
            guard let new = change.newID else { return [] }
            let moved = changes.first { $0.path == key.repositoryPath && $0.newID == nil }
            // A symbolic link or gitlink is no resource file: stored as a regular file, it is not the file moved.
            guard change.oldID == nil, let moved, moved.oldID == new, moved.oldMode?.isFile ?? true else {
                return [
                    violation(
                        commit, path, .archive,
                        "an archived file is the live file \(key.repositoryPath) moved unchanged in the same commit, and is never rewritten")
                ]
            }
            return []
        }
    }

    private func outOfScope(_ key: ResourceKey, party: ExchangePolicy.Party, commit: CommitInfo, path: String) -> ContractViolation {
        violation(
            commit, path, .scope,
            "\(key.namespace)/\(key.kind) is outside party \(party.name)'s namespaces [\(party.namespaces.joined(separator: ", "))] and kinds [\(party.kinds.joined(separator: ", "))]"
        )
    }

    /// A producer owns the whole file but `status`.
    private func producerChange(
        _ change: PathChange, key: ResourceKey, commit: CommitInfo, files: inout FileReader
    ) async throws -> [ContractViolation] {
        let path = change.path
        guard let newID = change.newID else { return [] }
        let new: ResourceDocument
        switch try await parse(newID, path: path, files: &files) {
        case .success(let document): new = document
        case .failure(let error): return [unreadable(error, commit: commit, path: path, writer: "a producer")]
        }
        var oldStatus: Node?
        if let oldID = change.oldID, case .success(let old) = try await parse(oldID, path: path, files: &files) {
            oldStatus = old.status
        }
        // The old file did not parse, or there was none: there is no status to keep.
        if new.status != oldStatus {
            let location = new.root.entry(forKey: ResourceDocument.statusKey)?.keyLocation
            return [violation(commit, path, .role, "a producer never writes status; the consumer does", at: location)]
        }
        var result = metadataProblems(new, key: key, commit: commit, path: path)
        if result.isEmpty {
            result += schemaProblems(new.root, sections: [.spec], commit: commit, path: path)
        }
        return result
    }

    /// A consumer changes the `status` of an existing resource, and not one byte else.
    private func consumerChange(
        _ change: PathChange, in changes: [PathChange], key: ResourceKey, commit: CommitInfo, files: inout FileReader
    ) async throws -> [ContractViolation] {
        let path = change.path
        guard let oldID = change.oldID else {
            return [violation(commit, path, .role, "a consumer never creates a resource; the producer does")]
        }
        guard let newID = change.newID else {
            let archived = changes.contains { $0.path == key.archivePath && $0.newID != nil }
            return [violation(commit, path, .role, "a consumer never \(archived ? "archives" : "deletes") a resource; the producer does")]
        }
        // Each file split around status (parsed to the codec's tape, never to a whole node tree), old first.
        let old: StatusSplit?
        switch try await split(oldID, path: path, files: &files) {
        case .success(let split): old = split
        case .failure(.unreadable(let error)):
            return [
                violation(
                    commit, path, .unreadable, "a consumer never writes into a file it cannot read: \(error.message)",
                    at: error.location)
            ]
        case .failure(.unsplittable): old = nil
        }
        let new: StatusSplit?
        switch try await split(newID, path: path, files: &files) {
        case .success(let split): new = split
        case .failure(.unreadable(let error)): return [unreadable(error, commit: commit, path: path, writer: "a consumer")]
        case .failure(.unsplittable): new = nil
        }
        guard let old, let new else {
            return [violation(commit, path, .unreadable, "cannot prove that only status changed: the file's layout cannot be split")]
        }
        guard old.sameOutsideStatus(as: new) else {
            // A violation: read both files whole to name what changed.
            guard case .success(let before) = try await parse(oldID, path: path, files: &files),
                case .success(let after) = try await parse(newID, path: path, files: &files)
            else {
                return [violation(commit, path, .role, "a consumer writes only status; it changed bytes outside it")]
            }
            let changed = before.producerSection != after.producerSection
            let location = changed ? firstDifference(before.producerSection, after.producerSection) : nil
            return [
                violation(
                    commit, path, .role,
                    changed
                        ? "a consumer writes only status; it changed \(describeDifference(before.producerSection, after.producerSection))"
                        : "a consumer writes only status; it changed bytes outside it (formatting or comments)",
                    at: location)
            ]
        }
        return schemaProblems(new.root, sections: [.status], commit: commit, path: path)
    }

    /// Why a file could not be split around its status.
    private enum SplitFailure: Error {
        /// The file is no resource file Giter can read: the error says why, and where.
        case unreadable(StoreError)
        /// The file reads, but its root is not a block mapping starting in column 1.
        case unsplittable
    }

    /// The file with blob `id` split around its status. With a shared document
    /// cache, the file is read through it (and parsed into it), as the next
    /// reader of the file will want it; without one, no node tree of the file is built.
    private func split(_ id: ObjectID, path: String, files: inout FileReader) async throws -> Result<StatusSplit, SplitFailure> {
        let bytes: [UInt8]
        if documents != nil {
            switch try await parse(id, path: path, files: &files) {
            case .success(let document): bytes = document.bytes
            case .failure(let error): return .failure(.unreadable(error))
            }
        } else {
            bytes = try await files.bytes(id)
        }
        do {
            return .success(try StatusSplit(bytes: bytes))
        } catch {
            // Either the file does not read, or it does but cannot be split: reading it whole says which, and where.
            do {
                _ = try ResourceDocument(bytes: bytes, path: path)
                return .failure(.unsplittable)
            } catch {
                return .failure(.unreadable(error))
            }
        }
    }

    private func unreadable(_ error: StoreError, commit: CommitInfo, path: String, writer: String) -> ContractViolation {
        violation(commit, path, .unreadable, "\(writer) wrote a file Giter cannot read: \(error.message)", at: error.location)
    }

    /// The file with blob `id` parsed, from the shared cache when it is there (a blob id names its contents).
    private func parse(_ id: ObjectID, path: String, files: inout FileReader) async throws -> Result<ResourceDocument, StoreError> {
        if let cached = documents?[id] { return .success(cached) }
        let bytes = try await files.bytes(id)
        do {
            let document = try ResourceDocument(bytes: bytes, path: path)
            documents?.insert(document, for: id)
            return .success(document)
        } catch {
            return .failure(error)
        }
    }

    /// `apiVersion`, `kind` and `metadata` as Giter's name rules and the path require.
    private func metadataProblems(_ document: ResourceDocument, key: ResourceKey, commit: CommitInfo, path: String) -> [ContractViolation] {
        let root = document.root
        var problems: [ContractViolation] = []
        func add(_ message: String, _ node: Node?) {
            problems.append(violation(commit, path, .metadata, message, at: node?.location ?? root.entries.first?.keyLocation))
        }
        let apiVersion = root["apiVersion"]?.string ?? ""
        for error in NameRules.checkAPIVersion(apiVersion, field: "apiVersion") { add("\(error)", root["apiVersion"]) }
        if root["kind"]?.string != key.kind { add("kind: Invalid value: must be \(key.kind), as the path says", root["kind"]) }
        let metadataNode = root[ResourceDocument.metadataKey]
        do {
            let metadata = try DocumentDecoder().decode(ObjectMeta.self, from: metadataNode ?? .null)
            do {
                try metadata.validate()
            } catch {
                for item in error.errors { add("\(item)", metadataNode) }
            }
            if metadata.name != key.name { add("metadata.name: Invalid value: \"\(metadata.name)\": the path names \(key.name)", metadataNode?["name"]) }
            if metadata.effectiveNamespace != key.namespace {
                add("metadata.namespace: Invalid value: \"\(metadata.effectiveNamespace)\": the path names \(key.namespace)", metadataNode?["namespace"])
            }
        } catch {
            let described = StoreError.invalidDocument(path, error, in: metadataNode, field: ResourceDocument.metadataKey)
            problems.append(violation(commit, path, .metadata, described.message, at: described.location ?? metadataNode?.location))
        }
        return problems
    }

    /// The sections' problems against the kind's definition.
    private func schemaProblems(
        _ root: Node.Mapping, sections: Set<ResourceSection>, commit: CommitInfo, path: String
    ) -> [ContractViolation] {
        let apiVersion = root["apiVersion"]?.string ?? ""
        let kind = root["kind"]?.string ?? ""
        switch contract.definition(apiVersion: apiVersion, kind: kind) {
        case .found(let version):
            if sections.contains(.status), !version.hasStatusSubresource {
                return [violation(commit, path, .schema, "status: Forbidden: the definition of \(kind) \(apiVersion) has no status subresource")]
            }
            return version.validate(root, sections: sections).map { error in
                violation(commit, path, .schema, error.description, at: error.location)
            }
        case .versionNotServed(let served):
            return [
                violation(
                    commit, path, .schema,
                    "apiVersion: Invalid value: \"\(apiVersion)\": the definition of \(kind) serves \(served.isEmpty ? "no version" : served.joined(separator: ", "))",
                    at: root["apiVersion"]?.location)
            ]
        case .none:
            let reject = contract.policy?.unknownKinds == .reject
            guard reject else { return [] }
            return [
                violation(
                    commit, path, .unknownKind,
                    "no CustomResourceDefinition in \(Contract.definitionsFolder)/ defines \(kind) in \(apiVersion); an admin adds one, or sets unknownKinds: allow",
                    at: root["kind"]?.location)
            ]
        }
    }

    private func firstDifference(_ old: Node.Mapping, _ new: Node.Mapping) -> SourceLocation? {
        for entry in new where old[entry.key] != entry.value { return entry.keyLocation ?? entry.value.location }
        return nil
    }

    private func describeDifference(_ old: Node.Mapping, _ new: Node.Mapping) -> String {
        let keys = Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
        return keys.isEmpty ? "the layout" : keys.joined(separator: ", ")
    }
}
