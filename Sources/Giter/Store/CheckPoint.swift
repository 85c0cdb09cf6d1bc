/// How far a store checked the history against the roles, and the sections
/// it keeps from earlier commits, saved through the store's ``Transport`` as
/// a local value of its mirror (``LocalValueName``
/// `checkpoints/<Kind>/<branch>`) so that the next process on that mirror
/// checks only the commits that arrived since.
///
/// A small versioned `Codable` value, written as YAML: what later versions
/// need to remember is added as optional fields; a change of meaning
/// raises ``currentVersion``. It is the store's own cache: a missing,
/// unreadable or foreign one (another version, kind or role assignments, a
/// commit the mirror does not have) is ignored, and the history is checked
/// from the start.
struct CheckPoint: Codable, Sendable {
    /// The sections kept for one resource (see ``SectionOverride``).
    struct Kept: Codable, Sendable {
        /// A kept section's value; `nil`: the section was absent.
        struct Section: Codable, Sendable {
            var value: Node?
        }

        /// `namespace/Kind/name`.
        var key: String
        /// The producer's section (everything but `status`), when kept.
        var producer: Section?
        /// `status`, when kept.
        var status: Section?
    }

    /// The version this code writes and the only one it reads.
    static let currentVersion = 1

    /// The format's version.
    var version: Int
    /// A digest of what the check depended on (see ``context(kind:roles:)``).
    var context: String
    /// The id of the last commit checked.
    var commit: String
    /// The sections kept from earlier commits, as of `commit`, by key.
    var kept: [Kept]

    /// A check point at `commit` with `overrides`.
    init(commit: ObjectID, overrides: [ResourceKey: SectionOverride], context: String) {
        self.version = Self.currentVersion
        self.context = context
        self.commit = commit.hex
        self.kept = overrides.sorted { $0.key < $1.key }.map { key, override in
            Kept(
                key: key.description,
                producer: override.producer.map { Kept.Section(value: $0.value.map { .mapping($0) }) },
                status: override.status.map { Kept.Section(value: $0.value) })
        }
    }

    /// Where a store of `kind` on `branch` keeps its check point; `nil` when
    /// the two cannot name a local value.
    static func name(kind: String, branch: String) -> LocalValueName? {
        try? LocalValueName("checkpoints/\(kind)/\(branch)")
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

    /// The check point as stored.
    func encoded() throws -> [UInt8] {
        Array(try DocumentEncoder().encodeYAML(self).utf8)
    }

    /// The check point in `bytes` when it is one this code can use for
    /// `context`: its commit and the overrides as of that commit; `nil` otherwise.
    static func decoded(
        _ bytes: [UInt8], context: String
    ) -> (commit: ObjectID, overrides: [ResourceKey: SectionOverride])? {
        guard let point = try? DocumentDecoder().decode(CheckPoint.self, fromYAML: String(decoding: bytes, as: UTF8.self)),
            point.version == currentVersion, point.context == context, let commit = ObjectID(hex: point.commit)
        else { return nil }
        var overrides: [ResourceKey: SectionOverride] = [:]
        for kept in point.kept {
            let parts = kept.key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { return nil }
            var override = SectionOverride()
            if let producer = kept.producer {
                if let value = producer.value {
                    guard let mapping = value.mapping else { return nil }
                    override.producer = .init(value: mapping)
                } else {
                    override.producer = .init(value: nil)
                }
            }
            if let status = kept.status { override.status = .init(value: status.value) }
            overrides[ResourceKey(namespace: parts[0], kind: parts[1], name: parts[2])] = override
        }
        return (commit, overrides)
    }
}
