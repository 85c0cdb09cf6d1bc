/// What a transport that keeps no local values does: stores nothing and
/// finds nothing. A ``GitResourceStore`` over such a transport checks the
/// whole history against the roles once per process instead of only the
/// commits that arrived since the last one: slower, never less safe.
///
/// The backends (`LibGit2Transport`, `GitCLITransport`) and the in-memory
/// transport of `GiterTesting` keep local values; a transport that wraps
/// another should forward both calls.
extension Transport {
    public func localValue(named name: LocalValueName) async throws -> [UInt8]? { nil }

    public func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {}
}
