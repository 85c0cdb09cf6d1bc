import Foundation
import Giter
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The check at the end of the soak: the bare repository's final history
/// against the producers' ledgers.
///
/// - **lost**: an acknowledged apply (key, generation, spec digest) that no
///   version of the file in the history holds, an acknowledged archive whose
///   resource is not under `archive/` at the end, a live resource whose spec
///   is not its producer's last acknowledged one, and a resource whose final
///   status does not observe its final generation with `Ready=True`.
/// - **violations**: commits the contract refuses (``ExchangeLedger``, as
///   `giter verify` judges them), a generation skipped or repeated for
///   another spec, an `observedGeneration` that goes back or beyond the
///   generation, a file that does not decode, a merge, `git fsck --strict`
///   errors, and lock files left (under `refs/`, and `HEAD.lock` and the
///   like at the top).
struct SoakAudit {
    /// One problem found, for the report.
    struct Finding: CustomStringConvertible {
        var lost: Bool
        var text: String
        var description: String { "\(lost ? "lost" : "violation"): \(text)" }
    }

    /// One acknowledged write of a producer's ledger.
    struct Ack {
        var producer: String
        var operation: String
        var name: String
        var generation: Int64
        var digest: String
        var revision: Int
    }

    private(set) var findings: [Finding] = []
    private(set) var commits = 0
    private(set) var statusWrites = 0
    private(set) var resources = 0
    private(set) var archived = 0

    var lost: Int { findings.filter(\.lost).count }
    var violations: Int { findings.filter { !$0.lost }.count }

    /// The acknowledgements in every producer's ledger.
    static func acks(ledgers: [(producer: String, path: String)]) -> [Ack] {
        ledgers.flatMap { ledger in
            Journal.lines(at: ledger.path).compactMap { line -> Ack? in
                guard line.first == "ack", line.count >= 4 else { return nil }
                if line[2] == "apply", line.count >= 7, let generation = Int64(line[4]), let revision = Int(line[6]) {
                    return Ack(
                        producer: ledger.producer, operation: "apply", name: line[3], generation: generation,
                        digest: line[5], revision: revision)
                }
                if line[2] == "archive" {
                    return Ack(producer: ledger.producer, operation: "archive", name: line[3], generation: 0, digest: "", revision: 0)
                }
                return nil
            }
        }
    }

    private mutating func lose(_ text: String) { findings.append(Finding(lost: true, text: text)) }
    private mutating func violate(_ text: String) { findings.append(Finding(lost: false, text: text)) }

    /// Audits the repository at `repository` (a bare repository on this
    /// machine, read through `reader`, a mirror of it fetched up to `tip`).
    mutating func run(repository: String, reader: any Transport, tip: ObjectID, acks: [Ack]) async throws {
        guard let chain = try await ExchangeLedger.chain(from: tip, to: nil, reader: reader), let root = chain.first else {
            violate("the first-parent chain of \(tip.hex) cannot be walked")
            return
        }
        commits = chain.count
        try await checkContract(chain: chain, root: root, reader: reader)
        let versions = try await walk(chain: chain, reader: reader)
        try await checkFinalState(tip: tip, reader: reader, versions: versions, acks: acks)
        await checkRepository(repository)
    }

    /// Every commit judged against the contract in force at its parent, as `giter verify` does.
    private mutating func checkContract(chain: [CommitInfo], root: CommitInfo, reader: any Transport) async throws {
        let start = try await ExchangeLedger.starting(at: root, reader: reader)
        var ledger = start.ledger
        for violation in start.violations { violate("contract: \(violation)") }
        for commit in chain.dropFirst() {
            if commit.parents.count > 1 { violate("merge commit \(commit.id.hex): the history must be linear") }
            let verdict = try await ledger.signatureVerdict(of: commit)
            for violation in try await ledger.advance(over: commit, verdict: verdict) {
                violate("contract: \(violation)")
            }
        }
    }

    /// What a version of a resource file held.
    struct Version: Hashable {
        var generation: Int64
        var digest: String
        var revision: Int
    }

    /// Walks every change of a resource file: generations without gaps, one
    /// spec per generation, `observedGeneration` never going back. Returns
    /// each key's versions.
    private mutating func walk(chain: [CommitInfo], reader: any Transport) async throws -> [String: Set<Version>] {
        var versions: [String: Set<Version>] = [:]
        var last: [String: (version: Version, status: SoakStatus?)] = [:]
        for commit in chain {
            for change in try await reader.changes(from: commit.parents.first, to: commit.id, under: nil) {
                let archivedKey = ResourceKey(archivePath: change.path)
                guard let key = ResourceKey(repositoryPath: change.path) ?? archivedKey, let id = change.newID else { continue }
                let item: SoakItem
                do {
                    item = try Self.decode(try await reader.blob(id))
                } catch {
                    violate("\(change.path) in \(commit.id.hex) does not decode: \(error)")
                    continue
                }
                let version = Version(
                    generation: item.metadata.generation ?? 0, digest: item.spec.digest, revision: item.spec.revision)
                let observed = item.status?.observedGeneration ?? 0
                let name = key.name
                if let previous = last[name] {
                    let step = version.generation - previous.version.generation
                    if version.digest != previous.version.digest, step != 1 {
                        violate("\(name): the spec changed from generation \(previous.version.generation) to \(version.generation) in \(commit.id.hex)")
                    } else if version.digest == previous.version.digest, step != 0 {
                        violate("\(name): generation \(previous.version.generation) became \(version.generation) for the same spec in \(commit.id.hex)")
                    }
                    let before = previous.status?.observedGeneration ?? 0
                    if observed < before {
                        violate("\(name): observedGeneration went back from \(before) to \(observed) in \(commit.id.hex)")
                    }
                    // A status written: it changed in place (an archive moves the file as it is).
                    if archivedKey == nil, item.status != previous.status { statusWrites += 1 }
                } else if version.generation != 1 {
                    violate("\(name) starts at generation \(version.generation) in \(commit.id.hex)")
                }
                if observed > version.generation {
                    violate("\(name): observedGeneration \(observed) is beyond generation \(version.generation) in \(commit.id.hex)")
                }
                if let other = versions[name]?.first(where: { $0.generation == version.generation && $0.digest != version.digest }) {
                    violate("\(name): generation \(version.generation) holds two specs (revisions \(other.revision) and \(version.revision))")
                }
                versions[name, default: []].insert(version)
                last[name] = (version, item.status)
            }
        }
        return versions
    }

    /// A resource file's text as a ``SoakItem``.
    static func decode(_ bytes: [UInt8]) throws -> SoakItem {
        try DocumentDecoder().decode(SoakItem.self, fromYAML: String(decoding: bytes, as: UTF8.self))
    }

    /// The acknowledged writes against the history, and the final statuses.
    private mutating func checkFinalState(
        tip: ObjectID, reader: any Transport, versions: [String: Set<Version>], acks: [Ack]
    ) async throws {
        var final: [String: (item: SoakItem, archived: Bool)] = [:]
        for (folder, archived) in [(ResourceKey.resourcesFolder, false), (ResourceKey.archiveFolder, true)] {
            for entry in try await reader.treeEntries(at: tip, under: folder) {
                let key = archived ? ResourceKey(archivePath: entry.path) : ResourceKey(repositoryPath: entry.path)
                guard let key else { continue }
                do {
                    let item = try Self.decode(try await reader.blob(entry.id))
                    if final[key.name] != nil { violate("\(key.name) is both live and archived") }
                    final[key.name] = (item, archived)
                } catch {
                    violate("\(entry.path) does not decode at the end: \(error)")
                }
            }
        }
        resources = final.count
        archived = final.values.filter(\.archived).count
        var lastApply: [String: Ack] = [:]
        var archivedAcks: Set<String> = []
        for ack in acks {
            switch ack.operation {
            case "apply":
                let version = Version(generation: ack.generation, digest: ack.digest, revision: ack.revision)
                if versions[ack.name]?.contains(version) != true {
                    lose("\(ack.producer)'s acknowledged apply of \(ack.name) generation \(ack.generation) (revision \(ack.revision)) is not in the history")
                }
                if (lastApply[ack.name]?.revision ?? 0) <= ack.revision { lastApply[ack.name] = ack }
            default:
                archivedAcks.insert(ack.name)
            }
        }
        for name in archivedAcks where final[name]?.archived != true {
            lose("\(name) was acknowledged archived but is not under archive/ at the end")
        }
        for (name, ack) in lastApply where !archivedAcks.contains(name) {
            guard let current = final[name], !current.archived else {
                lose("\(name) is not live at the end, though never archived")
                continue
            }
            if current.item.spec.revision != ack.revision {
                lose("\(name) holds revision \(current.item.spec.revision) at the end, its producer's last acknowledged is \(ack.revision)")
            }
        }
        for (name, current) in final.sorted(by: { $0.key < $1.key }) {
            let generation = current.item.metadata.generation ?? 0
            guard let status = current.item.status, status.observedGeneration == generation, status.isTrue("Ready"),
                status.revision == current.item.spec.revision
            else {
                lose("\(name): the final status does not observe generation \(generation) (observed \(current.item.status?.observedGeneration.map(String.init) ?? "none"))")
                continue
            }
        }
    }

    /// `git fsck --strict` and lock files left (``SoakServer/lockFiles(in:)``).
    private mutating func checkRepository(_ repository: String) async {
        do {
            let result = try await Subprocess.run(
                .name("git"),
                arguments: ["-C", repository, "fsck", "--strict", "--no-progress"],
                environment: .inherit.updating(["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C"]),
                output: .string(limit: 1 << 20),
                error: .string(limit: 1 << 20)
            )
            let text = (result.standardOutput + result.standardError).trimmingCharacters(in: .whitespacesAndNewlines)
            if result.terminationStatus != .exited(0) || text.contains("error") {
                violate("git fsck --strict: \(result.terminationStatus): \(text.prefix(2000))")
            }
        } catch {
            violate("git fsck could not run: \(error)")
        }
        for lock in SoakServer.lockFiles(in: repository).sorted() {
            violate("lock file left: \(lock.dropFirst(repository.count + 1))")
        }
    }
}
