import Logging

extension GitResourceStore {
    /// The name of this store's check point in its mirror; `nil` when the
    /// kind and branch cannot name one (then the history is checked at each start).
    var checkPointName: LocalValueName? {
        CheckPoint.name(kind: resourceType.kind, branch: transport.configuration.branch)
    }

    var checkPointContext: String { CheckPoint.context(kind: resourceType.kind, roles: options.roles) }

    /// The saved check point, if there is a usable one. One that cannot be
    /// read only costs a longer check, so a failure is logged, not thrown.
    func loadCheckPoint() async -> (commit: ObjectID, overrides: [ResourceKey: SectionOverride])? {
        guard let name = checkPointName else { return nil }
        do {
            guard let bytes = try await transport.localValue(named: name) else { return nil }
            guard let point = CheckPoint.decoded(bytes, context: checkPointContext) else {
                logger.debug("ignoring the history check point \(name): another version, kind or roles")
                return nil
            }
            return point
        } catch {
            logger.debug("could not read the history check point \(name): \(error)")
            return nil
        }
    }

    /// Saves that the history is checked up to `commit`, with the current
    /// overrides. A failure only costs the next process a longer check, so
    /// it is logged, not thrown.
    func saveCheckPoint(at commit: ObjectID) async {
        guard let name = checkPointName else { return }
        do {
            let point = CheckPoint(commit: commit, overrides: overrides, context: checkPointContext)
            try await transport.storeLocalValue(try point.encoded(), named: name)
        } catch {
            logger.debug("could not save the history check point \(name): \(error)")
        }
    }
}
