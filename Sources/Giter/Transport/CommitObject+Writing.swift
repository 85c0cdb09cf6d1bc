#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// How commit objects are written: the one home of the format both backends
/// and the in-memory transport write, byte for byte what git writes.
extension CommitObject {
    /// An unsigned commit object, byte for byte what `git commit-tree` writes
    /// ("tree …\nparent …\nauthor Name <e> 1700000000 +0000\ncommitter …\n\nmessage").
    ///
    /// The identities are written as given: the caller refuses names and
    /// e-mails Git would mangle (`<`, `>`, control characters). The date is
    /// whole seconds since 1970 (rounded down); the offset is
    /// ``Signature/timeZoneOffsetMinutes`` as a sign and four digits
    /// (`+0100`, `-0830`). The message is written as given.
    public static func encode(
        tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String
    ) -> [UInt8] {
        var text = "tree \(tree.hex)\n"
        for parent in parents { text += "parent \(parent.hex)\n" }
        text += identityLine("author", author) + identityLine("committer", committer) + "\n" + message
        return Array(text.utf8)
    }

    /// `payload` with `signature` inserted as a `gpgsig` header at the end of
    /// the header block, as `git commit -S` does: the armor's first line
    /// after `gpgsig `, every further line after a space (an empty line
    /// becomes a lone space).
    ///
    /// `signature` should end with a newline, as signers return it; one is
    /// added when it does not, so that the header never runs into the
    /// message. An empty signature inserts nothing (as git does): a writer
    /// refuses one before calling this.
    public static func signing(_ payload: [UInt8], with signature: String) -> [UInt8] {
        guard !signature.isEmpty else { return payload }
        var header = signatureKey
        var lineStart = true
        for byte in signature.utf8 {
            if lineStart { header.append(space) }
            header.append(byte)
            lineStart = byte == newline
        }
        if !lineStart { header.append(newline) }
        // After the newline that ends the last header line; at the end when
        // there is no empty line (git does the same).
        var insertion = payload.endIndex
        if payload.count >= 2 {
            for index in payload.indices.dropLast() where payload[index] == newline && payload[index + 1] == newline {
                insertion = index + 1
                break
            }
        }
        var result = Array(payload[..<insertion])
        result.reserveCapacity(payload.count + header.count)
        result += header
        result += payload[insertion...]
        return result
    }

    /// The signed form of `payload`: `signer`'s signature of it, inserted
    /// with ``signing(_:with:)``. What both backends write for a signed
    /// commit.
    ///
    /// - Throws: whatever `signer` throws, unchanged; `SigningError` with
    ///   code `invalidSignature` when it returns an empty signature or one
    ///   holding a NUL byte (no commit could carry it).
    package static func signed(_ payload: [UInt8], by signer: any CommitSigner) async throws -> [UInt8] {
        let signature = try await signer.signature(for: payload)
        guard signature.utf8.contains(where: { $0 != space && $0 != newline && $0 != UInt8(ascii: "\t") }) else {
            throw SigningError(
                .invalidSignature, "the commit signer returned an empty signature; no commit was written")
        }
        guard !signature.utf8.contains(0) else {
            throw SigningError(
                .invalidSignature, "the commit signer returned a signature holding a NUL byte; no commit was written")
        }
        return signing(payload, with: signature)
    }

    /// `role Name <email> seconds +hhmm` and a newline.
    private static func identityLine(_ role: String, _ signature: Signature) -> String {
        "\(role) \(signature.name) <\(signature.email)> \(seconds(of: signature.date)) "
            + timeZoneText(signature.timeZoneOffsetMinutes) + "\n"
    }

    /// Whole seconds since 1970, rounded down; clamped rather than trapping
    /// for a date no `Int64` holds.
    package static func seconds(of date: Date) -> Int64 {
        let value = date.timeIntervalSince1970.rounded(.down)
        guard value.isFinite else { return value.isNaN ? 0 : (value > 0 ? .max : .min) }
        // 2^63: the first value past Int64.max (and -2^63 is Int64.min).
        if value >= 0x1p63 { return .max }
        if value <= -0x1p63 { return .min }
        return Int64(value)
    }

    /// `+hhmm` for an offset in minutes (`-0830` for -510), as git writes it.
    package static func timeZoneText(_ minutes: Int) -> String {
        let magnitude = minutes.magnitude
        let hours = magnitude / 60
        let rest = magnitude % 60
        return (minutes < 0 ? "-" : "+") + (hours < 10 ? "0" : "") + String(hours) + (rest < 10 ? "0" : "") + String(rest)
    }
}
