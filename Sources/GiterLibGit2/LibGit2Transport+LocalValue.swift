public import Giter

extension LibGit2Transport {
    /// Reads the blob that `refs/giter/<name>` points at in the mirror.
    public func localValue(named name: LocalValueName) async throws -> [UInt8]? {
        try await queue.run { (repository) throws(TransportError) in
            try repository.localValue(named: name)
        }
    }

    /// Writes `value` as a blob in the mirror and points `refs/giter/<name>`
    /// at it (`nil` removes the ref). The ref is outside the fetch refspec,
    /// so neither fetches nor pushes touch it.
    public func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        try await queue.run { (repository) throws(TransportError) in
            try repository.storeLocalValue(value, named: name)
        }
    }
}
