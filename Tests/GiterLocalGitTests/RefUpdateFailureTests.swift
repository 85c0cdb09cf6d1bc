import Giter
import GiterLocalGit
import Testing

/// The one reading of what Git, receive-pack and libgit2 say about a refused ref update.
@Suite("Refused ref updates")
struct RefUpdateFailureTests {
    @Test(arguments: [
        // `git push --porcelain` summaries.
        ("[rejected] (stale info)", RefUpdateFailure.lostRace),
        ("[rejected] (fetch first)", .lostRace),
        ("[rejected] (non-fast-forward)", .lostRace),
        ("[rejected] (already exists)", .lostRace),
        ("[remote rejected] (failed to update ref)", .lostRace),
        ("[remote rejected] (pre-receive hook declined)", .refused),
        ("[remote rejected] (hook declined)", .refused),
        ("[remote rejected] (deny deleting current branch)", .unrecognized),
        ("[remote rejected] (shallow update not allowed)", .refused),
        // receive-pack's per-ref reasons, as libgit2 reports them.
        ("failed to update ref", .lostRace),
        ("Failed To Lock", .lostRace),
        ("incorrect old value provided", .lostRace),
        // `git update-ref` in the remote.
        ("fatal: cannot lock ref 'refs/heads/main': is at 1111 but expected 2222", .lostRace),
        ("fatal: cannot lock ref 'refs/heads/main': reference is missing but expected 2222", .lostRace),
        ("fatal: cannot lock ref 'refs/heads/main': Unable to create '/srv/x.git/refs/heads/main.lock': File exists.",
         .locked),
        ("failed to lock file '/srv/x.git/refs/heads/main.lock' for writing", .locked),
        ("refs/heads/main on the remote is locked by another push (refs/heads/main.lock exists); fetch and retry",
         .locked),
        ("fatal: unable to write object: No space left on device", .unrecognized),
    ])
    func statuses(status: String, expected: RefUpdateFailure) {
        #expect(RefUpdateFailure(status: status) == expected)
    }

    /// What receive-pack printed beside a generic status decides between a lost race and a held lock.
    @Test func gitsOwnErrorLinesRefineTheStatus() {
        let lock = "remote: error: cannot lock ref 'refs/heads/main': Unable to create '/x/main.lock': File exists."
        #expect(RefUpdateFailure(status: "failed to update ref", serverLines: [lock]) == .locked)
        let race = "remote: error: cannot lock ref 'refs/heads/main': is at 1 but expected 2"
        #expect(RefUpdateFailure(status: "[remote rejected] (oops)", serverLines: [race]) == .lostRace)
    }

    /// A hook's words cannot turn its refusal into a lost race (which would be retried).
    @Test func aHooksWordsDoNotMakeALostRace() {
        let hook = ["remote: please fetch first, the branch is at x but expected y", "remote: main.lock': file exists"]
        #expect(RefUpdateFailure(status: "[remote rejected] (pre-receive hook declined)", serverLines: hook) == .refused)
    }

    /// Of several refs' failures, a held lock counts first, then a lost race, then a refusal.
    @Test func combinedFailures() {
        #expect(RefUpdateFailure(combining: [.lostRace, .locked]) == .locked)
        #expect(RefUpdateFailure(combining: [.unrecognized, .lostRace]) == .lostRace)
        #expect(RefUpdateFailure(combining: [.unrecognized, .refused]) == .refused)
        #expect(RefUpdateFailure(combining: []) == .unrecognized)
    }

    @Test func outcomes() {
        #expect(RefUpdateFailure.lostRace.pushOutcome(message: "m") == .conflict(message: "m"))
        guard case .locked(let message) = RefUpdateFailure.locked.pushOutcome(message: "m") else {
            Issue.record("a held lock is .locked, not a lost race")
            return
        }
        #expect(message.contains("m"))
        #expect(RefUpdateFailure.refused.pushOutcome(message: "m") == .rejected(message: "m"))
        #expect(RefUpdateFailure.unrecognized.pushOutcome(message: "m") == .rejected(message: "m"))
    }
}
