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
        return try await resolveExactly(reference)
    }

    /// `git push --porcelain --force-with-lease=<name>:<expected>`, always
    /// through receive-pack (so the server's hooks judge it), then the
    /// mirror's copy moves.
    public func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?)
        async throws -> PushOutcome
    {
        let target = name.rawValue
        let lease = "--force-with-lease=\(target):\(expected?.hex ?? "")"
        let result = try await network(
            ["push", "--porcelain", "--no-verify", lease, "origin", "\(commit.hex):\(target)"], throwing: false)
        let remoteLines = result.standardError.split(separator: "\n")
            .filter { $0.hasPrefix("remote:") }
            .map { String($0.reversed().drop { $0 == " " || $0 == "\r" }.reversed()) }
        let status = result.outputText.split(separator: "\n").first { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return fields.count >= 3 && fields[1].hasSuffix(":" + target)
        }
        guard let status, let flag = status.first else {
            if result.succeeded {
                throw TransportError(.backend, "git push printed no status for \(target): \(result.outputText)")
            }
            throw GitFailure.error(for: result, command: "push", remote: configuration.url)
        }
        let summary = status.split(separator: "\t", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\t")
        switch flag {
        case " ", "+", "*", "=":
            _ = try await runner.check(["update-ref", "--no-deref", target, commit.hex], environment: GitRunner.toolIdentity)
            return .pushed(commit)
        case "!":
            var message = summary
            if !remoteLines.isEmpty { message += "\n" + remoteLines.joined(separator: "\n") }
            return RefUpdateFailure(status: summary, serverLines: remoteLines).pushOutcome(message: message)
        default:
            throw TransportError(.backend, "git push printed an unexpected status: '\(status)'")
        }
    }
}
