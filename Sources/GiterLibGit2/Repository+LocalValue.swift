internal import CLibGit2
import Giter

extension Repository {
    /// The contents of the blob the ref of `name` points at; `nil` when
    /// there is no such ref. Throws when it points at something else.
    func localValue(named name: LocalValueName) throws(TransportError) -> [UInt8]? {
        guard let oid = try referenceTarget(name.reference) else { return nil }
        return try blobContents(ObjectID(oid))
    }

    /// Writes `value` as a blob and points the ref of `name` at it, replacing
    /// what it pointed at; removes the ref when `value` is `nil`.
    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) throws(TransportError) {
        let reference = name.reference
        guard let value else {
            try LibGit2.check(git_reference_remove(pointer, reference), "remove \(reference)", allowing: [.notFound])
            return
        }
        var oid = try writeBlob(value)
        var handle: OpaquePointer?
        defer { git_reference_free(handle) }
        try LibGit2.check(
            git_reference_create(&handle, pointer, reference, &oid, 1, "giter: store a local value"),
            "point \(reference) at a blob of \(value.count) bytes")
    }
}
