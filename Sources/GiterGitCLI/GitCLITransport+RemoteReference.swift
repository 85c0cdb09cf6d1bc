public import Giter
import GiterLocalGit

extension GitCLITransport {
    /// `git fetch origin +<name>:<name>`: the mirror keeps the remote ref
    /// under the same name; a missing ref removes the mirror's copy.
    public func fetchReference(_ name: RemoteReferenceName) async throws -> ObjectID? {
        let reference = name.rawValue
        do {
            try await network(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "origin", "+\(reference):\(reference)"])
        } catch let error as TransportError where error.code == .branchNotFound {
            _ = try await runner.run(["update-ref", "-d", "--no-deref", reference], environment: GitRunner.toolIdentity)
            return nil
        }
        return try await reads.resolve(reference)
    }

    /// `git push --porcelain --force-with-lease=<name>:<expected>`, always
    /// through receive-pack (so the server's hooks judge it), then the
    /// mirror's copy moves.
    public func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?)
        async throws -> PushOutcome
    {
        let target = name.rawValue
        switch try await pushThroughReceivePack(commit, to: target, expecting: expected) {
        case .moved:
            _ = try await runner.check(["update-ref", "--no-deref", target, commit.hex], environment: GitRunner.toolIdentity)
            return .pushed(commit)
        case .refused(let outcome):
            return outcome
        }
    }
}
