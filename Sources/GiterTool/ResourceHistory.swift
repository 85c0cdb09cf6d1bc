import Giter

/// One commit that changed a resource, as the audit trail shows it.
struct HistoryEntry {
    /// The commit.
    var commit: CommitInfo
    /// Who wrote the commit: the author's parties under the policy in force
    /// at its parent; in an open exchange, the role its `Giter-Role` trailer states.
    var party: String
    /// Who signed it: `party/member key-fingerprint` for a signature the
    /// policy in force binds to the author, else `unsigned`, the signature's
    /// status, or `-` for the trusted first commit.
    var signer: String = "-"
    /// What changed: `created (generation 1)`, `spec (generation 2)`,
    /// `status (observedGeneration 2, Ready=True)`, `archived`, `deleted`…
    var change: String
}

/// The audit trail of one resource, from Git history: the commits that
/// changed its live or archived file, what each changed (from the commit's
/// trailers and the diff of the file), and who wrote it.
struct ResourceHistory {
    let transport: any Transport
    let key: ResourceKey
    /// The branch judged by its contract: who wrote each commit, and which violate it.
    let audit: ContractAudit

    /// The commits that changed the resource, oldest first; only the
    /// `limit` most recent when a limit is given.
    func entries(from tip: ObjectID, limit: Int?) async throws -> [HistoryEntry] {
        let live = try await transport.history(of: key.repositoryPath, from: tip, limit: nil)
        let archived = try await transport.history(of: key.archivePath, from: tip, limit: nil)
        var commits = Self.merge(live, archived)
        if let limit { commits = Array(commits.prefix(max(0, limit))) }
        var entries: [HistoryEntry] = []
        for commit in commits.reversed() {
            entries.append(try await entry(for: commit))
        }
        return entries
    }

    /// Two newest-first commit lists merged into one, newest first: a
    /// commit in both lists (an archive) keeps its place in each.
    static func merge(_ first: [CommitInfo], _ second: [CommitInfo]) -> [CommitInfo] {
        let shared = Set(first.map(\.id)).intersection(second.map(\.id))
        var result: [CommitInfo] = []
        var i = 0
        var j = 0
        while i < first.count || j < second.count {
            if i == first.count {
                result.append(second[j]); j += 1
            } else if j == second.count {
                result.append(first[i]); i += 1
            } else if first[i].id == second[j].id {
                result.append(first[i]); i += 1; j += 1
            } else if shared.contains(first[i].id) {
                result.append(second[j]); j += 1
            } else if shared.contains(second[j].id) || first[i].committer.date >= second[j].committer.date {
                result.append(first[i]); i += 1
            } else {
                result.append(second[j]); j += 1
            }
        }
        return result
    }

    private func entry(for commit: CommitInfo) async throws -> HistoryEntry {
        let parent = commit.parents.first
        let liveBefore = try await document(at: parent, path: key.repositoryPath)
        let liveAfter = try await document(at: commit.id, path: key.repositoryPath)
        let archivedBefore = try await document(at: parent, path: key.archivePath)
        let archivedAfter = try await document(at: commit.id, path: key.archivePath)
        let trailers = commit.trailers
        let role = trailers.last { $0.key == CommitTrailers.role }?.value
        let subject = key.description
        let appliedGeneration = trailers.first { $0.key == CommitTrailers.apply && $0.value.hasPrefix(subject + " ") }
            .flatMap { Self.number(after: "generation=", in: $0.value) }

        var parts: [String] = []
        switch (liveBefore, liveAfter) {
        case (nil, .some(let after)):
            let generation = appliedGeneration ?? Self.generation(after)
            parts.append(
                archivedBefore != nil ? "restored (generation \(generation))" : "created (generation \(generation))"
            )
            if Self.status(after) != nil {
                parts.append(Self.statusSummary(after))
            }
        case (.some(let before), .some(let after)):
            if before["spec"] != after["spec"] {
                parts.append("spec (generation \(appliedGeneration ?? Self.generation(after)))")
            }
            if Self.producerMetadata(before) != Self.producerMetadata(after)
                || before["apiVersion"] != after["apiVersion"]
            {
                parts.append("metadata")
            }
            if Self.status(before) != Self.status(after) {
                parts.append(Self.statusSummary(after))
            }
            if parts.isEmpty { parts.append("file rewritten, same content") }
        case (.some, nil):
            parts.append(archivedAfter != nil ? "archived" : "deleted")
        case (nil, nil):
            parts.append(
                archivedBefore != nil && archivedAfter == nil ? "deleted from the archive" : "archive rewritten"
            )
        }
        var change = parts.joined(separator: "; ")
        guard let verdict = audit.verdicts[commit.id] else {
            // The branch's first commit: trusted, as readers trust it.
            return HistoryEntry(commit: commit, party: role ?? "-", change: change)
        }
        let own = verdict.violations.filter { $0.path == key.repositoryPath || $0.path == key.archivePath }
        if let violation = own.first ?? verdict.violations.first {
            let more = verdict.violations.count > 1 ? " (and \(verdict.violations.count - 1) more)" : ""
            let place =
                violation.path.map { $0 == key.repositoryPath || $0 == key.archivePath ? "" : " in \($0)" } ?? ""
            change += " [violation\(place): \(violation.rule): \(violation.message)\(more); readers ignore this commit]"
        }
        return HistoryEntry(commit: commit, party: verdict.writer, signer: Self.signer(verdict.signature, author: commit.author.email), change: change)
    }

    /// The SIGNER column for a commit's signature verdict: `party/member
    /// fingerprint` for the parties whose entry for the author lists the
    /// key, `not-the-author fingerprint` for another member's key,
    /// `unsigned`, or the status of a signature that does not count.
    static func signer(_ verdict: SignatureVerdict?, author: String) -> String {
        guard let verdict else { return "-" }
        let key = verdict.keyFingerprint ?? "?"
        switch verdict.status {
        case .verified:
            let signers = verdict.signers(author: author)
            guard !signers.isEmpty else { return "not-the-author \(key)" }
            return signers.map { "\($0.party)/\($0.member)" }.joined(separator: ",") + " " + key
        case .unsigned:
            return "unsigned"
        default:
            return verdict.keyFingerprint.map { "\(verdict.status.rawValue) \($0)" } ?? verdict.status.rawValue
        }
    }

    /// The resource file at `path` in `commit`, parsed; `nil` when absent.
    /// A symbolic link or a gitlink there is never read (a gitlink's id
    /// names a commit, not a blob): it shows as unreadable.
    private func document(at commit: ObjectID?, path: String) async throws -> Node? {
        guard let commit else { return nil }
        let folder = path.split(separator: "/").dropLast().joined(separator: "/")
        guard let entry = try await transport.treeEntries(at: commit, under: folder).first(where: { $0.path == path })
        else {
            return nil
        }
        guard entry.mode.isFile else { return Node.string("unreadable") }
        let bytes = try await transport.blob(entry.id)
        return (try? YAMLReader().readDocument(bytes)) ?? Node.string("unreadable")
    }

    private static func status(_ document: Node) -> Node? {
        guard let status = document["status"], !status.isNull else { return nil }
        return status
    }

    private static func generation(_ document: Node) -> String {
        document["metadata"]?["generation"]?.number?.description ?? "-"
    }

    /// The metadata without the fields the store maintains.
    private static func producerMetadata(_ document: Node) -> Node? {
        guard var metadata = document["metadata"]?.mapping else { return document["metadata"] }
        metadata["generation"] = nil
        return .mapping(metadata)
    }

    /// `status (observedGeneration 2, Ready=True)`.
    private static func statusSummary(_ document: Node) -> String {
        guard let status = status(document) else { return "status removed" }
        var details: [String] = []
        if let observed = status["observedGeneration"]?.number { details.append("observedGeneration \(observed)") }
        for condition in status["conditions"]?.sequence ?? [] {
            if let type = condition["type"]?.string, let value = condition["status"]?.string,
                type == "Ready" || value == "True"
            {
                details.append("\(type)=\(value)")
            }
        }
        return details.isEmpty ? "status" : "status (\(details.joined(separator: ", ")))"
    }

    /// The integer after `prefix` in `text`, as text.
    private static func number(after prefix: String, in text: String) -> String? {
        guard let range = text.firstRange(of: prefix) else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        return digits.isEmpty ? nil : String(digits)
    }
}
