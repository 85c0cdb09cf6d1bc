#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GiterSchema
import Logging
import Tracing

extension GitResourceStore {
    public func write(_ writes: [ResourceWrite<Resource>]) async throws -> WriteResult {
        guard ExchangeTracing.isActive, !writes.isEmpty else { return try await gatedWrite(writes, traced: [:]) }
        // The producer's apply (and archive, delete) or the consumer's status push, as a span whose
        // context each key's trailer carries; a status carries its reconcile's instead, and the push
        // continues the trace of the first status (linked to the others).
        let given = ExchangeTracing.writeContexts
        let parent = writes.lazy.compactMap { given[$0.key] }.first ?? ServiceContext.current ?? .topLevel
        let span = startSpan(
            identity.role == .producer ? ExchangeTracing.applySpan : ExchangeTracing.statusSpan, context: parent,
            ofKind: .producer)
        defer { span.end() }
        span.attributes["giter.kind"] = resourceType.kind
        span.attributes["giter.writes"] = writes.count
        if writes.count == 1 { span.attributes["giter.resource"] = "\(writes[0].key)" }
        let own = ExchangeTracing.traceParent(of: span.context)
        var traced: [ResourceKey: TraceParent] = [:]
        var links = 0
        for write in writes {
            if let context = given[write.key] {
                if traced[write.key] == nil, links < ExchangeTracing.maxLinks, span.isRecording {
                    span.addLink(SpanLink(context: context, attributes: [:]))
                    links += 1
                }
                traced[write.key] = ExchangeTracing.traceParent(of: context) ?? own
            } else {
                traced[write.key] = own
            }
        }
        do {
            let result = try await gatedWrite(writes, traced: traced)
            if let revision = result.revision { span.attributes["giter.commit"] = revision.rawValue }
            span.attributes["giter.push.attempts"] = result.attempts
            return result
        } catch {
            span.recordError(error)
            throw error
        }
    }

    /// Writes with the gate held; `traced`: the trace context to carry for each key.
    private func gatedWrite(_ writes: [ResourceWrite<Resource>], traced: [ResourceKey: TraceParent]) async throws
        -> WriteResult
    {
        for write in writes { try checkScope(write.key) }
        await writeGate.acquire()
        defer { writeGate.release() }
        await acquire()
        // Whether this write holds `gate`: a write cancelled in its backoff throws without it.
        var holding = true
        do {
            let result = try await writeBatch(writes, traced: traced, holding: &holding)
            release()
            return result
        } catch {
            if holding { release() }
            throw error
        }
    }

    private func writeBatch(
        _ writes: [ResourceWrite<Resource>], traced: [ResourceKey: TraceParent], holding: inout Bool
    ) async throws -> WriteResult {
        var failures = 0
        var lastReason = ""
        // While the branch is locked: when that was first seen, and the last message.
        var locked: (since: ContinuousClock.Instant, message: String)?
        // Over the network the first attempt starts from the view as it is:
        // refreshing first would cost a connection, and the push's
        // compare-and-swap refuses a view that is behind. Such a refusal is
        // not a failure: the view is refreshed and the batch planned again.
        var fromView = loaded && transport.configuration.reachesServer
        while failures < options.retry.maxAttempts {
            if failures > 0 {
                var delay = options.retry.delay(afterFailures: failures)
                if let locked { delay = min(delay, options.retry.lockPatience - locked.since.duration(to: .now)) }
                // The gate is let go for the wait (other writes still wait on `writeGate`): nothing of the
                // failed attempt is kept, the next one starts from a refreshed view, so a refresh need not
                // wait out this write's backoff.
                release()
                holding = false
                try await Task.sleep(for: max(delay, .zero))
                await acquire()
                holding = true
            }
            if !fromView { try await refreshView() }
            if let fence = options.fencing, !writes.contains(where: { fence.fencingToken(for: $0.key) != nil }) {
                return WriteResult(
                    outcomes: writes.map { .notApplied(fence.refusal(for: $0.key)) }, revision: revision(), attempts: failures)
            }
            try await ensureIndex()
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let planned: (commit: ObjectID?, outcomes: [WriteOutcome], batch: Batch, ledger: ExchangeLedger?)
            do {
                planned = try await checkedCommit(writes, now: now, traced: traced)
            } catch where fromView {
                // Judged on a view that may be behind: judge again on the remote's.
                fromView = false
                continue
            }
            guard let commit = planned.commit else {
                // Nothing to write is an answer only about the remote's view.
                if fromView {
                    fromView = false
                    continue
                }
                return WriteResult(outcomes: planned.outcomes, revision: revision(), attempts: failures)
            }
            let outcome = try await transport.push(commit, expecting: tip)
            if fromView {
                fromView = false
                if case .conflict = outcome { continue }
            }
            switch outcome {
            case .pushed:
                if tip == nil { anchor = commit }
                try await advance(to: commit, checked: planned.ledger)
                remember(planned.batch)
                rememberTraces(of: writes, outcomes: planned.outcomes, traced: traced)
                await saveCheckPointIfDue(judged: 1)
                return WriteResult(outcomes: planned.outcomes, revision: revision(), attempts: failures + 1)
            case .conflict(let message), .rejected(let message):
                failures += 1
                lastReason = message
                locked = nil
                report(.pushRetried(attempt: failures, reason: message))
            case .locked(let message):
                failures += 1
                lastReason = message
                let since = locked?.since ?? .now
                locked = (since, message)
                guard since.duration(to: .now) < options.retry.lockPatience else { break }
                report(.pushRetried(attempt: failures, reason: message))
                continue
            }
            if let locked, locked.since.duration(to: .now) >= options.retry.lockPatience { break }
        }
        if let locked {
            let waited = Int(locked.since.duration(to: .now) / .milliseconds(100))
            logger.error("could not push a batch of \(writes.count) writes: the branch stayed locked: \(locked.message)")
            throw StoreError(
                .branchLocked,
                "the branch stayed locked for \(waited / 10).\(waited % 10) s "
                    + "over \(failures) attempts, nothing was written: \(locked.message)")
        }
        let reason = "gave up after \(failures) attempts; last: \(lastReason)"
        logger.error("could not push a batch of \(writes.count) writes: \(reason)")
        return WriteResult(outcomes: writes.map { _ in .notApplied(reason) }, revision: revision(), attempts: failures)
    }

    /// A commit of `writes` on top of the view that the contract in force
    /// allows — the same check readers run on it: a write the contract
    /// refuses is left out, reported refused with the contract's reason, and
    /// the rest planned again. `commit` is `nil` when nothing is left to write.
    private func checkedCommit(
        _ writes: [ResourceWrite<Resource>], now: Date, traced: [ResourceKey: TraceParent]
    ) async throws -> (commit: ObjectID?, outcomes: [WriteOutcome], batch: Batch, ledger: ExchangeLedger?) {
        var refused: [Int: String] = [:]
        let read = try await contractRead()
        let contract = try? read?.get()
        var unreadable: ContractError?
        if case .failure(let error)? = read { unreadable = error }
        while true {
            // Under a fence, a write goes only with the token of its lease (as it is now), each token once.
            // A token lower than one the history already holds (another replica took the lease over and
            // wrote) would make every reader refuse the whole commit: only the writes under it are left out.
            var tokens: [Int: FencingToken] = [:]
            var fenced: [Int: String] = [:]
            if let fence = options.fencing {
                let fences = ledgerState?.fences ?? [:]
                for (index, write) in writes.enumerated() {
                    if let token = fence.fencingToken(for: write.key) {
                        if let highest = fences[token.lease], token.generation < highest {
                            fenced[index] =
                                "the history holds generation \(highest) of the lease \(token.lease), past this replica's "
                                + "\(token.generation): another replica took it over"
                        } else {
                            tokens[index] = token
                        }
                    } else {
                        fenced[index] = fence.refusal(for: write.key)
                    }
                }
            }
            var batch = Batch()
            var outcomes: [WriteOutcome] = []
            var owner: [String: Int] = [:]
            var carried: [FencingToken] = []
            for (index, write) in writes.enumerated() {
                if let reason = fenced[index] {
                    outcomes.append(.notApplied(reason))
                    continue
                }
                if let reason = refused[index] {
                    outcomes.append(.refused(reason))
                    continue
                }
                let known = batch.paths.count
                outcomes.append(
                    try await plan(write, into: &batch, now: now, contract: contract, unreadable: unreadable))
                for path in batch.paths[known...] { owner[path] = index }
                if batch.paths.count > known, let token = tokens[index], !carried.contains(token) { carried.append(token) }
            }
            guard !batch.isEmpty else { return (nil, outcomes, batch, nil) }
            var request = batch.request(parent: tip, identity: identity, date: now)
            if !traced.isEmpty { request.trailers += Self.traceTrailers(writes, outcomes: outcomes, traced: traced) }
            request.trailers += carried.map(\.trailer)
            let commit = try await transport.createCommit(request, signer: options.signer)
            guard let tip else {
                if branchCheck != nil {
                    // An exchange branch starts from a commit of the main branch, never from a root of its own.
                    throw StoreError(
                        .historyRefused,
                        "the exchange branch \(transport.configuration.branch) does not exist: start it first "
                            + "(ExchangeBranches.start, giter branch start)")
                }
                // The branch's first commit: nothing is in force before it to judge it by.
                return (commit, outcomes, batch, newLedger(at: ExchangeLedger.State(commit: commit)))
            }
            var ledger = self.ledger ?? newLedger(at: ExchangeLedger.State(commit: tip))
            let info = try await storedInfo(of: commit, made: request, on: tip)
            var written: [String: [UInt8]] = [:]
            for case (let path, .some(let bytes)) in batch.files { written[path] = bytes }
            let violations = try await ledger.advance(over: info, written: written)
            if violations.isEmpty { return (commit, outcomes, batch, ledger) }
            for violation in violations {
                let reason = "the contract refuses it: \(violation.rule): \(violation.message)"
                logger.warning("refusing a write: \(violation)")
                if let path = violation.path, let index = owner[path] {
                    refused[index] = reason
                } else {
                    for index in writes.indices where refused[index] == nil { refused[index] = reason }
                }
            }
        }
    }

    /// The commit `id` just made from `request`, as the mirror holds it.
    /// Every backend stores the request's fields as they are, but for
    /// surrounding spaces in a name or address, which both drop: such an
    /// identity is read back instead of rebuilt.
    private func storedInfo(of id: ObjectID, made request: CommitRequest, on parent: ObjectID) async throws -> CommitInfo {
        let fields = [request.author.name, request.author.email, request.committer.name, request.committer.email]
        let trimmed = fields.allSatisfy { field in
            !(field.unicodeScalars.first?.properties.isWhitespace ?? false) && !(field.unicodeScalars.last?.properties.isWhitespace ?? false)
        }
        if trimmed {
            return CommitInfo(id: id, parents: [parent], author: request.author, committer: request.committer, message: request.fullMessage)
        }
        guard let info = try await transport.commits(from: id, excluding: parent, limit: 1).first else {
            throw StoreError(.historyRefused, "the commit \(id.hex) just made is not in the mirror")
        }
        return info
    }

    /// The contract in force at the view; `nil` when there is no view yet
    /// or it cannot be read (then the check of each commit says why).
    func contractInForce() async throws -> Contract? {
        try? await contractRead()?.get()
    }

    /// The contract in force at the view, or why it cannot be read; `nil`
    /// when there is no view yet (an empty branch).
    func contractRead() async throws -> Result<Contract, ContractError>? {
        guard let tip else { return nil }
        guard var ledger else {
            // A view not checked by this store (yet): the contract at its tip.
            var ledger = newLedger(at: ExchangeLedger.State(commit: tip))
            return try await ledger.contract()
        }
        let commit = ledger.state.commit
        let contract = try await ledger.contract()
        // Reads run alongside a refresh: keep the parsed contract only if the ledger did not move meanwhile.
        if self.ledger?.state.commit == commit { self.ledger = ledger }
        return contract
    }

    /// Keeps the files just written in the parse cache under their new blob
    /// ids, so reading them back (the other side's next commit diffs
    /// against them) costs no blob read and no parse.
    private func remember(_ batch: Batch) {
        guard let lastDiff else { return }
        for change in lastDiff.changes {
            guard let id = change.newID, documents[id] == nil, case .some(.some(let bytes)) = batch.files[change.path] else {
                continue
            }
            if let document = try? ResourceDocument(bytes: bytes, path: change.path) { documents.insert(document, for: id) }
        }
    }

    /// Works out one write against the view plus the batch so far.
    ///
    /// One write's own failure — its resource's file cannot be read, or its
    /// value cannot be encoded — is its outcome, ``WriteOutcome/failed(_:)``,
    /// and never fails the batch: `batch` changes only once nothing of the
    /// write can fail any more. What is not the write's own (a transport
    /// error) is thrown.
    private func plan(
        _ write: ResourceWrite<Resource>, into batch: inout Batch, now: Date, contract: Contract?,
        unreadable: ContractError?
    ) async throws -> WriteOutcome {
        guard write.role == identity.role else {
            return .refused("a \(identity.role) may not \(write.verb) (\(write.key)); that is the \(write.role)'s part")
        }
        let key = write.key
        guard key.kind == resourceType.kind else {
            return .refused("\(key) is not a \(resourceType.kind); this store writes only that kind")
        }
        do throws(ValidationErrors) {
            try key.validate()
        } catch {
            return .refused("invalid key \(key): \(error)")
        }
        do {
            let current = try await liveFile(key, batch: batch)
            switch write {
            case .apply(let resource):
                return try await apply(
                    resource, key: key, current: current, into: &batch, now: now, contract: contract,
                    unreadable: unreadable)
            case .applyText(let resource, let text):
                return try await apply(
                    resource, key: key, current: current, into: &batch, now: now, contract: contract,
                    unreadable: unreadable, text: text)
            case .status(_, let status, let specDigest):
                switch current {
                case nil: return .gone
                case .unreadable(_, let error), .link(_, let error): return .failed(LiveFile.refusingStatus(error))
                case .readable(let document):
                    return try writeStatus(status, specDigest: specDigest, key: key, current: document, into: &batch)
                }
            case .archive:
                let bytes: [UInt8]
                switch current {
                case nil: return .notFound
                case .readable(let document): bytes = document.bytes
                case .unreadable(let unreadable, _): bytes = unreadable
                case .link(_, let error): return .failed(LiveFile.refusingArchive(error))
                }
                // Moved byte for byte, readable or not: the contract's archive rule.
                batch.put(key.archivePath, bytes, trailer: Trailer(CommitTrailers.archive, "\(key)"))
                batch.remove(key.repositoryPath)
                return .archived
            case .delete:
                if current != nil {
                    batch.remove(key.repositoryPath)
                } else if batch.files[key.archivePath].map({ $0 != nil }) ?? (archived[key] != nil) {
                    batch.remove(key.archivePath)
                } else {
                    return .notFound
                }
                batch.trailers.append(Trailer(CommitTrailers.delete, "\(key)"))
                return .deleted
            }
        } catch let error as StoreError where error.isFileError || error.code == .encoding {
            logger.warning("cannot \(write.verb): \(error)", metadata: ["resource": "\(key)"])
            return .failed(error)
        }
    }

    /// The consumer's write: only the `status` key of the file changes.
    private func writeStatus(
        _ status: Resource.Status, specDigest: String, key: ResourceKey, current: ResourceDocument,
        into batch: inout Batch
    ) throws -> WriteOutcome {
        let mapping = current.root
        let generation = ResourceDocument.generation(in: mapping)
        guard ResourceDocument.specDigest(of: mapping) == specDigest else { return .stale(generation: generation) }
        var node = try encode(status, what: "the status of \(key)")
        guard case .mapping(var fields) = node.content else {
            return .refused("the status of \(key) encodes as \(node.kindDescription), not a mapping")
        }
        fields[ResourceDocument.observedSpecDigestKey] = .string(specDigest)
        node = .mapping(fields)
        if ResourceDocument.status(in: mapping) == node { return .unchanged }
        let bytes = try splice(current.bytes, key: ResourceDocument.statusKey, value: node, path: key.repositoryPath)
        let observed = status.observedGeneration.map(String.init) ?? "none"
        batch.put(key.repositoryPath, bytes, trailer: Trailer(CommitTrailers.status, "\(key) observedGeneration=\(observed)"))
        return .statusWritten
    }

    private func apply(
        _ desired: Resource, key: ResourceKey, current: LiveFile?, into batch: inout Batch, now: Date,
        contract: Contract?, unreadable: ContractError?, text: [UInt8]? = nil
    ) async throws -> WriteOutcome {
        guard desired.apiVersion == resourceType.apiVersion else {
            return .refused("\(key) has apiVersion \(desired.apiVersion); this store writes \(resourceType.apiVersion)")
        }
        let plain = Self.defaulted(try encode(desired.spec, what: "the spec of \(key)"), of: desired, contract: contract)
        let spec: Node
        do {
            spec = try sealingFields(
                plain, of: desired, key: key, current: current, contract: contract, unreadable: unreadable)
        } catch {
            return .refused(error.reason)
        }
        guard let current else {
            var metadata = desired.metadata
            metadata.namespace = key.namespace
            metadata.generation = 1
            metadata.uid = metadata.uid ?? UUID().uuidString.lowercased()
            metadata.creationTimestamp = metadata.creationTimestamp ?? now
            let bytes: [UInt8]
            if let text,
                let kept = try authored(text, of: desired, metadata: metadata, spec: spec, status: nil, key: key)
            {
                bytes = kept
            } else {
                bytes = YAMLWriter().writeBytes(try newDocument(desired, key: key, metadata: metadata, spec: spec))
            }
            batch.put(key.repositoryPath, bytes, trailer: Trailer(CommitTrailers.apply, "\(key) generation=1"))
            return .created(generation: 1)
        }
        let effective: Node.Mapping
        let readable: ResourceDocument
        switch current {
        case .unreadable(let bytes, let error):
            return try await replace(
                unreadable: bytes, error, with: desired, spec: spec, key: key, into: &batch, now: now,
                contract: contract)
        case .link(_, let error):
            return try await replace(
                unreadable: nil, error, with: desired, spec: spec, key: key, into: &batch, now: now,
                contract: contract)
        case .readable(let document):
            effective = document.root
            readable = document
        }
        var metadata: ObjectMeta
        do {
            metadata = try DocumentDecoder().decode(ObjectMeta.self, from: effective[ResourceDocument.metadataKey] ?? .null)
        } catch {
            let problem = StoreError.invalidDocument(
                key.repositoryPath, error, in: effective[ResourceDocument.metadataKey], field: ResourceDocument.metadataKey)
            return try await replace(
                unreadable: readable.bytes, problem, with: desired, spec: spec, key: key, into: &batch, now: now,
                contract: contract)
        }
        let specChanged = effective[ResourceDocument.specKey] != spec
        let labels = desired.metadata.labels ?? [:]
        let annotations = desired.metadata.annotations ?? [:]
        let metadataChanged = (metadata.labels ?? [:]) != labels || (metadata.annotations ?? [:]) != annotations
        let apiVersionChanged = effective["apiVersion"]?.string != desired.apiVersion
        guard specChanged || metadataChanged || apiVersionChanged else { return .unchanged }
        metadata.labels = labels.isEmpty ? nil : labels
        metadata.annotations = annotations.isEmpty ? nil : annotations
        let generation =
            specChanged ? try Self.generation(after: metadata.generation ?? 0, key: key) : (metadata.generation ?? 0)
        metadata.generation = max(generation, 1)
        var bytes = readable.bytes
        let path = key.repositoryPath
        if let text,
            let kept = try authored(
                text, of: desired, metadata: metadata, spec: spec, status: ResourceDocument.status(in: effective),
                key: key)
        {
            let trailer = Trailer(CommitTrailers.apply, "\(key) generation=\(metadata.generation ?? 1)")
            batch.put(path, kept, trailer: trailer)
            return .configured(generation: metadata.generation ?? 1)
        }
        if apiVersionChanged {
            bytes = try splice(bytes, key: "apiVersion", value: .string(desired.apiVersion), path: path)
        }
        let known = try encode(metadata, what: "the metadata of \(key)")
        let merged = Self.merging(known, into: effective[ResourceDocument.metadataKey])
        bytes = try splice(bytes, key: ResourceDocument.metadataKey, value: merged, path: path)
        bytes = try splice(bytes, key: ResourceDocument.specKey, value: spec, path: path)
        batch.put(path, bytes, trailer: Trailer(CommitTrailers.apply, "\(key) generation=\(metadata.generation ?? 1)"))
        return .configured(generation: metadata.generation ?? 1)
    }

    /// The author's `text` with the fields the store maintains spliced into
    /// its `metadata`, `status` as given (removed when `nil`), and `spec`
    /// when the definition's defaults changed it; `nil` when the text cannot
    /// be spliced (its root is not a block mapping in column 1) or is not
    /// `desired`'s (its apiVersion, kind, name, labels or annotations
    /// differ): the caller writes block YAML.
    func authored(
        _ text: [UInt8],
        of desired: Resource,
        metadata: ObjectMeta,
        spec: Node,
        status: Node?,
        key: ResourceKey
    ) throws -> [UInt8]? {
        let known = try encode(metadata, what: "the metadata of \(key)")
        let maintained = ["namespace", "generation", "uid", "creationTimestamp"]
        let splice = YAMLSplice()
        var bytes = text
        do {
            // One read of the text, then a splice only where it differs.
            let given = try ResourceDocument(bytes: text, path: key.repositoryPath, limits: parseLimits)
            guard given.root["apiVersion"]?.string == desired.apiVersion, given.root["kind"]?.string == desired.kind,
                case .mapping(var fields)? = given.root[ResourceDocument.metadataKey]?.content
            else {
                logger.debug(
                    "the author's text is not of the resource's apiVersion and kind; writing block YAML",
                    metadata: ["resource": "\(key)"])
                return nil
            }
            for name in maintained { fields[name] = known[name] }
            let stored = try DocumentDecoder().decode(ObjectMeta.self, from: .mapping(fields))
            guard stored == metadata || Self.sameMaintainedFields(stored, metadata) else {
                logger.debug(
                    "the author's text does not read as the resource; writing block YAML",
                    metadata: ["resource": "\(key)"])
                return nil
            }
            bytes = try splice.replacingValues(
                maintained.map { ($0, known[$0]) }, inTopLevelKey: ResourceDocument.metadataKey, in: bytes)
            if ResourceDocument.status(in: given.root) != status {
                bytes = try splice.replacingValue(ofTopLevelKey: ResourceDocument.statusKey, in: bytes, with: status)
            }
            if given.root[ResourceDocument.specKey] != spec {
                bytes = try splice.replacingValue(ofTopLevelKey: ResourceDocument.specKey, in: bytes, with: spec)
            }
        } catch {
            logger.debug(
                "the author's text cannot be spliced (\(error)); writing block YAML", metadata: ["resource": "\(key)"])
            return nil
        }
        return bytes
    }

    /// Whether the text's metadata has what the store wrote: the name,
    /// labels, annotations and maintained fields.
    private static func sameMaintainedFields(_ stored: ObjectMeta, _ wanted: ObjectMeta) -> Bool {
        stored.name == wanted.name && stored.namespace == wanted.namespace && stored.generation == wanted.generation
            && stored.uid == wanted.uid && stored.creationTimestamp == wanted.creationTimestamp
            && (stored.labels ?? [:]) == (wanted.labels ?? [:])
            && (stored.annotations ?? [:]) == (wanted.annotations ?? [:])
    }

    /// A new resource file: `apiVersion`, `kind`, `metadata` and `spec`, and
    /// `status` when one is given (kept from the file it replaces).
    func newDocument(
        _ desired: Resource, key: ResourceKey, metadata: ObjectMeta, spec: Node, status: Node? = nil
    ) throws -> Node {
        var document = Node.Mapping()
        document["apiVersion"] = .string(desired.apiVersion)
        document["kind"] = .string(desired.kind)
        document[ResourceDocument.metadataKey] = try encode(metadata, what: "the metadata of \(key)")
        document[ResourceDocument.specKey] = spec
        if let status { document[ResourceDocument.statusKey] = status }
        return .mapping(document)
    }

    /// `spec` with the defaults of the kind's definition in `contract`
    /// applied, as the Kubernetes API server applies them on write.
    static func defaulted(_ spec: Node, of desired: Resource, contract: Contract?) -> Node {
        guard let contract, case .found(let version) = contract.definition(apiVersion: desired.apiVersion, kind: desired.kind) else {
            return spec
        }
        var document = Node.Mapping()
        document["apiVersion"] = .string(desired.apiVersion)
        document["kind"] = .string(desired.kind)
        document[ResourceDocument.specKey] = spec
        return version.applyingDefaults(to: document)[ResourceDocument.specKey] ?? spec
    }

    /// The metadata fields `ObjectMeta` knows, written over the file's
    /// metadata: fields it does not know (`ownerReferences`, a tool's own
    /// keys) stay as they were, in their place.
    static func merging(_ known: Node, into existing: Node?) -> Node {
        guard case .mapping(let fields) = known.content, case .mapping(var merged)? = existing?.content else {
            return known
        }
        for name in ObjectMeta.fieldNames {
            merged[name] = fields[name]
        }
        return .mapping(merged)
    }

    /// The live file of `key` as the batch so far leaves it; a file that
    /// does not read as a resource file comes back as it is, with why, and
    /// an entry that is not a regular file with its mode.
    private func liveFile(_ key: ResourceKey, batch: Batch) async throws -> LiveFile? {
        let path = key.repositoryPath
        if let pending = batch.files[path] {
            guard let bytes = pending else { return nil }
            do {
                return .readable(try ResourceDocument(bytes: bytes, path: path, limits: parseLimits))
            } catch {
                return .unreadable(bytes: bytes, error)
            }
        }
        guard let id = live[key]?.objectID else { return nil }
        return try await file(id, path: path)
    }

    func encode<T: Encodable>(_ value: T, what: String) throws -> Node {
        do {
            return try DocumentEncoder().encodeNode(value)
        } catch {
            throw StoreError.encoding(what, error)
        }
    }

    func splice(_ bytes: [UInt8], key: String, value: Node, path: String) throws -> [UInt8] {
        do {
            return try YAMLSplice().replacingValue(ofTopLevelKey: key, in: bytes, with: value)
        } catch {
            throw StoreError.invalidDocument(path, error, action: "cannot rewrite '\(key)'")
        }
    }
}

/// The files a batch writes, and the trailers that say so.
struct Batch {
    /// Path → new bytes, or `nil` to delete.
    private(set) var files: [String: [UInt8]?] = [:]
    /// The paths of `files` in the order they were first written, so that
    /// what one write added is a suffix (no walk over the whole batch).
    private(set) var paths: [String] = []
    var trailers: [Trailer] = []

    var isEmpty: Bool { files.isEmpty }

    mutating func put(_ path: String, _ bytes: [UInt8], trailer: Trailer) {
        if files.updateValue(bytes, forKey: path) == nil { paths.append(path) }
        trailers.append(trailer)
    }

    mutating func remove(_ path: String) {
        if files.updateValue(nil as [UInt8]?, forKey: path) == nil { paths.append(path) }
    }

    func request(parent: ObjectID?, identity: ExchangeIdentity, date: Date) -> CommitRequest {
        let edits: [PathEdit] = files.keys.sorted().map { path in
            if case .some(.some(let bytes)) = files[path] { .write(path: path, contents: bytes) } else { .delete(path: path) }
        }
        let signature = Signature(name: identity.name, email: identity.email, date: date)
        var counts: [String: Int] = [:]
        for trailer in trailers { counts[trailer.key, default: 0] += 1 }
        let summary = [
            (CommitTrailers.apply, "apply"), (CommitTrailers.status, "status"),
            (CommitTrailers.archive, "archive"), (CommitTrailers.delete, "delete"),
        ].compactMap { key, word in counts[key].map { "\(word) \($0)" } }.joined(separator: ", ")
        return CommitRequest(
            parent: parent,
            edits: edits,
            author: signature,
            committer: signature,
            message: "giter \(identity.role): \(summary)",
            trailers: [Trailer(CommitTrailers.role, identity.role.rawValue)] + trailers)
    }
}

extension ResourceWrite {
    var verb: String {
        switch self {
        case .apply, .applyText: "apply a spec"
        case .status: "write a status"
        case .archive: "archive a resource"
        case .delete: "delete a resource"
        }
    }
}
