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

extension GitCLITransport {
    /// `git push --porcelain --force-with-lease=<name>:<expected> origin :<name>`,
    /// always through receive-pack, then the mirror's copy goes.
    public func deleteReference(_ name: RemoteReferenceName, expecting expected: ObjectID) async throws -> PushOutcome {
        let target = name.rawValue
        switch try await deleteThroughReceivePack(target, expecting: expected) {
        case .moved:
            _ = try await runner.run(["update-ref", "-d", "--no-deref", target], environment: GitRunner.toolIdentity)
            return .pushed(expected)
        case .refused(let outcome):
            return outcome
        }
    }

    /// `git ls-remote --refs origin <prefix>*…`, kept to the refs that
    /// really start with a prefix (git matches patterns against the tail).
    public func listReferences(under prefixes: [String]) async throws -> [String: ObjectID] {
        for prefix in prefixes where !prefix.hasPrefix("refs/") || prefix.hasPrefix("-") || prefix.contains("*") {
            throw TransportError(.invalidArgument, "'\(prefix)' is not a ref prefix: give one that starts with refs/")
        }
        guard !prefixes.isEmpty else { return [:] }
        let result = try await network(["ls-remote", "--refs", "origin"] + prefixes.map { $0 + "*" })
        var references: [String: ObjectID] = [:]
        for line in result.outputText.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2, let id = ObjectID(hex: String(fields[0])) else { continue }
            let name = String(fields[1])
            if prefixes.contains(where: { name.hasPrefix($0) }) { references[name] = id }
            if references.count > RemoteReferenceName.listingLimit { throw RemoteReferenceName.listingTooLong(prefixes) }
        }
        return references
    }
}
