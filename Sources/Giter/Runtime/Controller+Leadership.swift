import Logging

extension Controller {
    /// Whether this replica may sync and reconcile: always without a
    /// ``ControllerOptions/leaderElection``; with one, while it leads.
    var leads: Bool {
        guard let election = options.leaderElection else { return true }
        return election.leaderGeneration != nil
    }

    /// Runs the election of ``ControllerOptions/leaderElection`` beside the
    /// loop, triggering a sync whenever this replica's standing changes: a
    /// new leader starts with a full sync; one that lost the lease stops
    /// starting reconciles (the gate in `schedule`).
    func startLeaderElection(_ tasks: inout ControllerTasks<Resource>) {
        guard let election = options.leaderElection else { return }
        tasks.addTask { [logger] in
            await election.run { standing in
                logger.info("leadership: \(standing)", metadata: ["lease": "\(election.reference)"])
                self.trigger()
            }
            return .sourceEnded
        }
    }
}
