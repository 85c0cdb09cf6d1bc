public import Giter

extension GitCLITransport {
    /// `git pack-objects --stdout --revs` with `tip` and `^base` on its
    /// standard input: a pack without `--thin`, so it needs no object
    /// outside it.
    public func packObjects(reachableFrom tip: ObjectID, excluding base: ObjectID?) async throws -> [UInt8] {
        var revisions = tip.hex + "\n"
        if let base { revisions += "^" + base.hex + "\n" }
        let result = try await runner.check(
            ["pack-objects", "--stdout", "--revs", "--delta-base-offset", "-q"], input: Array(revisions.utf8))
        return result.standardOutput
    }

    /// `git index-pack --stdin --fix-thin --strict` in the mirror: git
    /// hashes and checks every object (`--strict` as `fsck` would) and the
    /// pack's trailer before it keeps anything.
    public func storePack(_ pack: [UInt8]) async throws {
        let result = try await runner.run(["index-pack", "--stdin", "--fix-thin", "--strict"], input: pack, outputLimit: 1 << 16)
        guard result.succeeded else {
            let text = result.errorText
            throw TransportError(
                .invalidArgument, "the pack is truncated or corrupted: \(text.isEmpty ? "git index-pack failed" : text)")
        }
    }
}
