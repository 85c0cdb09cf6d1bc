public import Giter

extension LibGit2Transport {
    public func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.commits(from: new, excluding: old, limit: limit)
        }
    }
}
