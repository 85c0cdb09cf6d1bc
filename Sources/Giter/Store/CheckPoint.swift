/// How far a store checked the history against the contract, the commit it
/// trusts as the history's anchor, and the files in force where they differ
/// from that commit's tree, saved through the store's ``Transport`` as a
/// local value of its mirror (``LocalValueName`` `checkpoints/<Kind>/<branch>`)
/// so that the next process on that mirror checks only the commits that
/// arrived since.
///
/// A small versioned `Codable` value, written as YAML. It is the store's own
/// cache, except for the anchor: a check point of another version or whose
/// rules differ (``context``) is not used to skip commits — the history is
/// checked again from its anchor, so a mirror checked under older, more
/// lenient rules does not keep serving what they let through.
struct CheckPoint: Codable, Sendable {
    /// A file in force that differs from the checked commit's tree.
    struct Pin: Codable, Sendable {
        var path: String
        /// The blob in force; `nil`: the file is absent in force.
        var blob: String?
    }

    /// The version this code writes and the only one whose commit and pins it uses.
    static let currentVersion = 2

    /// A store saves its check point at its first check and then once it
    /// judged this many commits more: the next process on the mirror checks
    /// at most this many commits again.
    static let savedEvery = 64

    var version: Int
    /// A digest of what the check depended on (see ``context(roles:)``).
    var context: String
    /// The first commit the store trusted: the history must descend from it.
    var anchor: String?
    /// The id of the last commit checked.
    var commit: String
    var pins: [Pin]
    /// The highest fencing token accepted per lease (``ExchangeLedger/State/fences``).
    var fences: [String: UInt64]?

    init(state: ExchangeLedger.State, anchor: ObjectID?, context: String) {
        self.version = Self.currentVersion
        self.context = context
        self.anchor = anchor?.hex
        self.commit = state.commit.hex
        self.pins = state.pins.sorted { $0.key < $1.key }.map { Pin(path: $0.key, blob: $0.value?.hex) }
        self.fences = state.fences.isEmpty ? nil : state.fences
    }

    /// Where a store of `kind` on `branch` keeps its check point; `nil` when
    /// the two cannot name a local value.
    static func name(kind: String, branch: String) -> LocalValueName? {
        try? LocalValueName("checkpoints/\(kind)/\(branch)")
    }

    /// A digest of what the check depended on: the version of the rules
    /// (``ExchangeLedger/rulesVersion``), the roles of an open exchange and,
    /// for a store that checks less than everything, its ``ReadScope`` (so
    /// that a store of a wider scope on the same mirror checks again what a
    /// narrower one did not read).
    static func context(roles: RoleAssignments, scope: ReadScope = .everything) -> String {
        var entries: [Node.Mapping.Entry] = [
            .init(key: "rules", value: .number(Node.Number(ExchangeLedger.rulesVersion))),
            .init(key: "producers", value: .sequence(roles.producers.sorted().map { .string($0) })),
            .init(key: "consumers", value: .sequence(roles.consumers.sorted().map { .string($0) })),
        ]
        if !scope.isEverything {
            let namespaces: Node = scope.namespaces.map { .sequence($0.sorted().map { .string($0) }) } ?? .string("*")
            let kinds: Node = scope.kinds.map { .sequence($0.sorted().map { .string($0) }) } ?? .string("*")
            entries += [.init(key: "namespaces", value: namespaces), .init(key: "kinds", value: kinds)]
        }
        return SpecDigest.of(.mapping(Node.Mapping(entries)))
    }

    /// The check point as stored.
    func encoded() throws -> [UInt8] {
        Array(try DocumentEncoder().encodeYAML(self).utf8)
    }

    /// What a stored check point tells a store starting with `context`.
    enum Reading {
        /// Checked up to `state` under the same rules; `anchor` trusted.
        case checked(ExchangeLedger.State, anchor: ObjectID?)
        /// Checked under other rules: only the anchor still holds.
        case anchorOnly(ObjectID)
        /// Nothing usable.
        case none
    }

    /// Reads `bytes` for a store whose rules digest is `context`.
    static func reading(_ bytes: [UInt8], context: String) -> Reading {
        guard let point = try? DocumentDecoder().decode(CheckPoint.self, fromYAML: String(decoding: bytes, as: UTF8.self))
        else { return .none }
        let anchor = point.anchor.flatMap(ObjectID.init(hex:))
        guard point.version == currentVersion, point.context == context, let commit = ObjectID(hex: point.commit) else {
            return anchor.map { .anchorOnly($0) } ?? .none
        }
        var pins: [String: ObjectID?] = [:]
        for pin in point.pins {
            if let hex = pin.blob {
                guard let id = ObjectID(hex: hex) else { return anchor.map { .anchorOnly($0) } ?? .none }
                pins[pin.path] = .some(id)
            } else {
                pins[pin.path] = .some(nil)
            }
        }
        return .checked(ExchangeLedger.State(commit: commit, pins: pins, fences: point.fences ?? [:]), anchor: anchor)
    }
}
