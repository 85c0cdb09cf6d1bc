import GiterCodec

/// The one field of a verified payload the receiver reads: the `ref` a push
/// moved (`refs/heads/main`), to ignore pushes to other branches.
///
/// Nothing else of the payload is trusted or used: a hint makes the waiter
/// check the remote, and what changed is read from the repository.
enum PushedReference {
    /// Whether a payload is a hint for `branch`: true unless it names
    /// another ref. A payload that is not a JSON object, or has no string
    /// `ref` at its top level (a Bitbucket push, a ping, a form-encoded
    /// body) is a hint: a hint costs one check, a missed one a poll period.
    static func concerns(_ body: [UInt8], branch: String, maxBytes: Int) -> Bool {
        let reader = JSONReader(limits: ParseLimits(maxDepth: 64, maxInputBytes: maxBytes, maxDocuments: 1))
        guard let payload = try? reader.read(body), let ref = payload["ref"]?.string else { return true }
        return ref == "refs/heads/" + branch
    }
}
