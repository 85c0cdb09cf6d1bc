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

    /// A controller that stopped, after its last status write, gives up the
    /// leases it holds (its shards and member lease, or the leadership), so
    /// that another replica takes over at its next round rather than after
    /// the lease duration. A replica that dies without stopping (SIGKILL)
    /// releases nothing: its terms run out.
    func releaseLeases() async {
        if let sharding = options.sharding { await sharding.releaseAll() }
        if let election = options.leaderElection, election.leaderGeneration != nil {
            do {
                if try await election.release() { logger.info("released the leadership on stopping") }
            } catch {
                logger.warning("could not release the leadership on stopping: \(error)", metadata: ["lease": "\(election.reference)"])
            }
        }
    }
}
