import Foundation
import Giter
import Testing

/// Walks the final history of an exchange and checks that nothing was lost
/// and nobody wrote what they do not own.
struct HistoryChecker {
    struct Problems: CustomStringConvertible {
        var items: [String] = []
        mutating func add(_ problem: String) { items.append(problem) }
        var description: String { items.prefix(20).joined(separator: "\n") }
    }

    let transport: any Transport

    /// Checks every commit up to `tip`:
    /// - producer commits change only the producer's section (or delete files);
    /// - consumer commits change only `status`;
    /// - each resource's generations go 1, 2, 3… with none skipped, and its
    ///   `observedGeneration` never goes backwards;
    /// - every status written describes the spec in the same file (its digest).
    /// Returns the problems found and the final generation of each resource.
    func check(tip: ObjectID) async throws -> (Problems, [ResourceKey: Int64]) {
        var problems = Problems()
        var generations: [ResourceKey: Int64] = [:]
        var observed: [ResourceKey: Int64] = [:]
        let commits = try await transport.commits(from: tip, excluding: nil, limit: nil).reversed()
        for commit in commits {
            guard commit.parents.count <= 1 else {
                problems.add("merge commit \(commit.id.short): the exchange history must be linear")
                continue
            }
            let role = labRoles.role(of: commit)
            for change in try await transport.changes(from: commit.parents.first, to: commit.id, under: "resources") {
                guard let key = ResourceKey(repositoryPath: change.path) else {
                    problems.add("\(commit.id.short) wrote \(change.path), which is not a resource path")
                    continue
                }
                var old: File?
                var new: File?
                if let id = change.oldID { old = try await read(id) }
                if let id = change.newID { new = try await read(id) }
                let producerChanged = old?.producer != new?.producer
                let statusChanged = old?.status != new?.status
                switch role {
                case .producer:
                    if statusChanged && new != nil { problems.add("producer commit \(commit.id.short) wrote the status of \(key)") }
                case .consumer:
                    if producerChanged { problems.add("consumer commit \(commit.id.short) wrote the spec of \(key)") }
                case nil:
                    problems.add("commit \(commit.id.short) by \(commit.author) has no role")
                }
                guard let new else { continue }
                if producerChanged {
                    let expected = (generations[key] ?? 0) + (old?.spec != new.spec || old == nil ? 1 : 0)
                    if new.generation != expected {
                        problems.add("\(key) went from generation \(generations[key] ?? 0) to \(new.generation) in \(commit.id.short)")
                    }
                    generations[key] = new.generation
                }
                if statusChanged, let status = new.job.status {
                    let generation = status.observedGeneration ?? 0
                    if generation < observed[key] ?? 0 {
                        problems.add("\(key) observedGeneration went back to \(generation) in \(commit.id.short)")
                    }
                    observed[key] = generation
                    if generation == new.generation, status.digest != expectedDigest(new.job.spec) {
                        problems.add("\(key) status for generation \(generation) describes another spec in \(commit.id.short)")
                    }
                }
            }
        }
        return (problems, generations)
    }

    struct File: Equatable {
        var job: Job
        var producer: Node
        var status: Node?
        var spec: Node?
        var generation: Int64 { job.metadata.generation ?? 0 }

        static func == (lhs: File, rhs: File) -> Bool { lhs.producer == rhs.producer && lhs.status == rhs.status }
    }

    func read(_ blob: ObjectID) async throws -> File {
        let bytes = try await transport.blob(blob)
        let node = try YAMLReader().readDocument(bytes)
        var producer = try #require(node.mapping)
        let status = producer["status"]
        producer["status"] = nil
        return File(
            job: try DocumentDecoder().decode(Job.self, from: node), producer: .mapping(producer), status: status,
            spec: node["spec"])
    }
}
