/// A commit object's bytes as Git stores them, and its signature.
///
/// A signed commit carries its signature in a `gpgsig` header at the end of
/// its header block, one line of the armor per header line, each line after
/// the first starting with a space (an empty armor line is a lone space):
///
/// ```
/// tree 9bc4…
/// parent 41d0…
/// author Lab <lab@example.com> 1763700000 +0100
/// committer Lab <lab@example.com> 1763700000 +0100
/// gpgsig -----BEGIN SSH SIGNATURE-----
///  U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg…
///  -----END SSH SIGNATURE-----
///
/// Apply experiment one
/// ```
///
/// What the signature signs, ``signedPayload``, is the object without that
/// header: the bytes `git verify-commit` checks for every commit git writes
/// (git also drops other header lines that start with `gpgsig`; Giter keeps
/// them, so such a commit fails to verify). Reading is linear
/// in the size of the object and never traps, whatever the bytes.
///
/// ```swift
/// let object = try await transport.commitObject(tip)
/// if let signature = object.signature, object.signatureFormat == .ssh {
///     // verify `signature` over `object.signedPayload`
/// }
/// ```
public struct CommitObject: Sendable, Hashable {
    /// The object's bytes, without Git's `commit <size>\0` prefix.
    public let bytes: [UInt8]
    /// The `gpgsig` header's bytes, continuation lines joined; nil when unsigned.
    private let signatureBytes: [UInt8]?
    /// The ranges of `bytes` that are not a signature header, in order.
    private let payloadRanges: [Range<Int>]

    /// Reads `bytes`.
    ///
    /// - Throws: `TransportError` with code `backend` when the header block
    ///   is malformed: it does not start with a `tree` line, or it has no
    ///   end (no empty line before the message).
    public init(bytes: [UInt8]) throws(TransportError) {
        guard bytes.starts(with: Self.treePrefix) else {
            throw TransportError(
                .backend, "the commit object does not start with its tree line; the repository may be corrupt")
        }
        var signature: [UInt8]?
        var ranges: [Range<Int>] = []
        /// Where the current run of bytes kept in the payload starts.
        var keptFrom = 0
        /// What the lines starting with a space continue.
        var continuing = Header.other
        var lineStart = 0
        var headerEnded = false
        while lineStart < bytes.count {
            guard let newline = bytes[lineStart...].firstIndex(of: Self.newline) else { break }
            let line = bytes[lineStart..<newline]
            if line.isEmpty {
                headerEnded = true
                break
            }
            var kind: Header
            if line.first == Self.space {
                kind = continuing
                if kind == .signature { signature?.append(contentsOf: line.dropFirst()) }
            } else {
                kind = Self.header(of: line)
                continuing = kind
                if kind == .signature {
                    // A second `gpgsig` header adds to the first, as git reads it
                    // (appended in place: the parse stays linear in the object's size).
                    if signature == nil { signature = [] }
                    signature?.append(contentsOf: line.dropFirst(Self.signatureKey.count + 1))
                }
            }
            if kind == .signature { signature?.append(Self.newline) }
            if kind != .other {
                if keptFrom < lineStart { ranges.append(keptFrom..<lineStart) }
                keptFrom = newline + 1
            }
            lineStart = newline + 1
        }
        // Headers that end with the object (every line ended by a newline,
        // no message) are what git's fsck accepts too: an empty message.
        guard headerEnded || lineStart == bytes.count else {
            throw TransportError(
                .backend,
                "the commit object's header block has no end (no empty line before the message); the repository may be corrupt")
        }
        if keptFrom < bytes.count { ranges.append(keptFrom..<bytes.count) }
        self.bytes = bytes
        signatureBytes = signature
        payloadRanges = ranges
    }

    /// The `gpgsig` header's value with continuation lines joined (each
    /// line ends with "\n", as the signer returned it); nil when unsigned.
    ///
    /// Bytes that are not UTF-8 are replaced (such a signature verifies
    /// against nothing).
    public var signature: String? {
        signatureBytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes a signature signs: the object without its `gpgsig` header
    /// (and without a `gpgsig-sha256` header, which git leaves out too).
    /// Equal to ``bytes`` for a commit without either.
    public var signedPayload: [UInt8] {
        if payloadRanges.count == 1, payloadRanges[0] == bytes.indices { return bytes }
        var payload: [UInt8] = []
        payload.reserveCapacity(payloadRanges.reduce(0) { $0 + $1.count })
        for range in payloadRanges { payload += bytes[range] }
        return payload
    }

    /// The armor kind of ``signature``; nil when unsigned or when the
    /// signature is none of the kinds git knows.
    public var signatureFormat: SignatureFormat? {
        signature.flatMap(SignatureFormat.init(armored:))
    }

    public static func == (lhs: CommitObject, rhs: CommitObject) -> Bool {
        lhs.bytes == rhs.bytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }

    // MARK: Header lines

    /// What a header line (and the lines that continue it) is to the payload.
    private enum Header {
        /// `gpgsig`: the signature, left out of the payload.
        case signature
        /// `gpgsig-sha256`: a signature over the SHA-256 form, left out too.
        case otherSignature
        /// Anything else, kept.
        case other
    }

    private static func header(of line: ArraySlice<UInt8>) -> Header {
        if isHeader(line, named: signatureKey) { return .signature }
        if isHeader(line, named: sha256SignatureKey) { return .otherSignature }
        return .other
    }

    /// Whether `line` is `name`, a space and a value (as git matches a header).
    private static func isHeader(_ line: ArraySlice<UInt8>, named name: [UInt8]) -> Bool {
        line.count > name.count && line.starts(with: name) && line[line.startIndex + name.count] == space
    }

    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let treePrefix = Array("tree ".utf8)
    /// The header git writes an SHA-1 repository's commit signature in.
    static let signatureKey = Array("gpgsig".utf8)
    private static let sha256SignatureKey = Array("gpgsig-sha256".utf8)
}
