import Giter

extension InMemoryTransport {
    /// The value stored under `name` in this transport's mirror, which
    /// lives as long as the transport: a store made again over the same
    /// transport finds the check point of the one before, as over a mirror on disk.
    func localValue(named name: LocalValueName) async throws -> [UInt8]? {
        refs.value(name)
    }

    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        refs.setValue(name, value)
    }
}
