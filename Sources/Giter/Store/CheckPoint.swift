#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// How far a store checked the history against the roles, and the sections
/// it keeps from earlier commits, saved in the mirror (`giter/checked-<Kind>.yaml`)
/// so that the next process checks only the commits that arrived since.
///
/// The file is the store's own cache, next to the mirror it describes: a
/// missing, unreadable or foreign one (another kind, other role
/// assignments, a commit the mirror does not have) is ignored, and the
/// history is checked from the start.
struct CheckPoint {
    /// The last commit checked.
    var commit: ObjectID
    /// The sections kept from earlier commits, as of `commit`.
    var overrides: [ResourceKey: SectionOverride]

    /// Where a store of `kind` keeps its check point in `mirror`; `nil` when
    /// the transport has no mirror on disk.
    static func path(mirror: String, kind: String) -> String? {
        guard !mirror.isEmpty else { return nil }
        return mirror + "/giter/checked-\(kind).yaml"
    }

    /// A digest of what the check depended on: the roles and the kind.
    static func context(kind: String, roles: RoleAssignments) -> String {
        SpecDigest.of(
            .mapping([
                "kind": .string(kind),
                "producers": .sequence(roles.producers.sorted().map { .string($0) }),
                "consumers": .sequence(roles.consumers.sorted().map { .string($0) }),
            ]))
    }

    func encoded(context: String) -> [UInt8] {
        var kept: [Node] = []
        for (key, override) in overrides.sorted(by: { $0.key < $1.key }) {
            var entry = Node.Mapping([Node.Mapping.Entry(key: "key", value: .string(key.description))])
            if let producer = override.producer { entry["producer"] = producer.value.map { .mapping($0) } ?? .null }
            if let status = override.status { entry["status"] = status.value ?? .null }
            kept.append(.mapping(entry))
        }
        let document: Node = .mapping([
            "context": .string(context), "commit": .string(commit.hex), "kept": .sequence(kept),
        ])
        return YAMLWriter().writeBytes(document)
    }

    /// The check point in `bytes`, or `nil` when it is not one for `context`.
    static func decoded(_ bytes: [UInt8], context: String) -> CheckPoint? {
        guard let node = try? YAMLReader().readDocument(bytes), node["context"]?.string == context,
            let commit = node["commit"]?.string.flatMap(ObjectID.init(hex:)), let kept = node["kept"]?.sequence
        else { return nil }
        var overrides: [ResourceKey: SectionOverride] = [:]
        for entry in kept {
            let parts = entry["key"]?.string?.split(separator: "/").map(String.init) ?? []
            guard parts.count == 3 else { return nil }
            var override = SectionOverride()
            if let producer = entry["producer"] {
                if producer.isNull {
                    override.producer = .init(value: nil)
                } else if let mapping = producer.mapping {
                    override.producer = .init(value: mapping)
                } else {
                    return nil
                }
            }
            if let status = entry["status"] { override.status = .init(value: status.isNull ? nil : status) }
            overrides[ResourceKey(namespace: parts[0], kind: parts[1], name: parts[2])] = override
        }
        return CheckPoint(commit: commit, overrides: overrides)
    }
}

extension GitResourceStore {
    var checkPointPath: String? {
        CheckPoint.path(mirror: transport.configuration.mirrorPath, kind: resourceType.kind)
    }

    var checkPointContext: String { CheckPoint.context(kind: resourceType.kind, roles: options.roles) }

    /// The saved check point, if there is a usable one.
    func loadCheckPoint() -> CheckPoint? {
        guard let path = checkPointPath, let data = FileManager.default.contents(atPath: path) else { return nil }
        return CheckPoint.decoded(Array(data), context: checkPointContext)
    }

    /// Saves how far the history is checked; a failure only costs the next
    /// process a longer check, so it is logged, not thrown.
    func saveCheckPoint(at commit: ObjectID) {
        guard let path = checkPointPath else { return }
        let point = CheckPoint(commit: commit, overrides: overrides)
        do {
            let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(point.encoded(context: checkPointContext)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            logger.debug("could not save the history check point at \(path): \(error)")
        }
    }
}
