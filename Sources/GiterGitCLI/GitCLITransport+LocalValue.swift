public import Giter

extension GitCLITransport {
    /// Reads the blob that `refs/giter/<name>` points at in the mirror,
    /// through the long-lived `cat-file` process (no process of its own).
    public func localValue(named name: LocalValueName) async throws -> [UInt8]? {
        guard let object = try await objects.read(name.reference) else { return nil }
        guard object.type == "blob" else {
            throw TransportError(
                .backend, "\(name.reference) points at a \(object.type), not a blob; delete the ref with git update-ref -d")
        }
        return object.contents
    }

    /// Writes `value` as a blob in the mirror (`git hash-object -w --stdin`)
    /// and points `refs/giter/<name>` at it (`git update-ref`); `nil` removes
    /// the ref. The ref is outside the fetch refspec, so neither fetches nor
    /// pushes touch it.
    public func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        let reference = name.reference
        guard let value else {
            _ = try await runner.check(["update-ref", "-d", "--no-deref", reference], environment: GitRunner.toolIdentity)
            return
        }
        let written = try await runner.check(["hash-object", "-w", "--no-filters", "--stdin"], input: value)
        guard let id = ObjectID(hex: written.outputText) else {
            throw TransportError(.backend, "git hash-object printed '\(written.outputText)' instead of a blob id")
        }
        _ = try await runner.check(["update-ref", "--no-deref", reference, id.hex], environment: GitRunner.toolIdentity)
    }
}
