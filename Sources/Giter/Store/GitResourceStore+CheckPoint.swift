import Logging

extension GitResourceStore {
    /// The name of this store's check point in its mirror; `nil` when the
    /// kind and branch cannot name one (then the history is checked at each start).
    var checkPointName: LocalValueName? {
        CheckPoint.name(kind: resourceType.kind, branch: transport.configuration.branch)
    }

    var checkPointContext: String { CheckPoint.context(roles: options.roles, scope: options.scope) }

    /// The saved check point. One that cannot be read only costs a longer
    /// check, so a failure is logged, not thrown.
    func loadCheckPoint() async -> CheckPoint.Reading {
        guard let name = checkPointName else { return .none }
        do {
            guard let bytes = try await transport.localValue(named: name) else { return .none }
            let reading = CheckPoint.reading(bytes, context: checkPointContext)
            if case .anchorOnly = reading {
                logger.info("the history check point \(name) was made under other rules; checking the history again from its anchor")
            }
            return reading
        } catch {
            logger.debug("could not read the history check point \(name): \(error)")
            return .none
        }
    }

    /// Saves the check point when this store has saved none yet, or when it
    /// judged at least ``CheckPoint/savedEvery`` commits since it last saved
    /// one; only a store that checks the full history saves one.
    ///
    /// The check point may so lag behind the view by fewer than
    /// ``CheckPoint/savedEvery`` commits: the next process on the mirror
    /// checks those again (the same verdicts, reported again), and the save
    /// (two processes with the git CLI backend) stays off the path from a
    /// fetch to the reconciler and from a write to its push.
    func saveCheckPointIfDue(judged: Int) async {
        guard options.historyCheck == .fullHistory else { return }
        let judged = (judgedSinceCheckPoint ?? 0) + judged
        if judgedSinceCheckPoint != nil, judged < CheckPoint.savedEvery {
            judgedSinceCheckPoint = judged
            return
        }
        await saveCheckPoint()
        judgedSinceCheckPoint = 0
    }

    /// Saves that the history is checked up to the ledger's state. A failure
    /// only costs the next process a longer check, so it is logged, not thrown.
    func saveCheckPoint() async {
        guard let name = checkPointName, let state = ledgerState else { return }
        do {
            let point = CheckPoint(state: state, anchor: anchor, context: checkPointContext)
            try await transport.storeLocalValue(try point.encoded(), named: name)
        } catch {
            logger.debug("could not save the history check point \(name): \(error)")
        }
    }
}
