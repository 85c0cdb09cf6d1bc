public import Giter

extension GitCLITransport {
    public func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await reads.commits(from: new, excluding: old, limit: limit)
    }
}
