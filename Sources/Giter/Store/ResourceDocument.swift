/// A resource file read into its two sections: the producer's (everything
/// but `status`) and the consumer's (`status`).
struct ResourceDocument: Sendable {
    static let statusKey = "status"
    static let specKey = "spec"
    static let metadataKey = "metadata"
    /// The key, inside `status`, where a consumer records the digest of the
    /// spec the status describes.
    static let observedSpecDigestKey = "observedSpecDigest"

    /// The file's bytes, kept for splicing.
    let bytes: [UInt8]
    /// The whole document.
    let root: Node.Mapping

    /// Reads a resource file.
    ///
    /// - Throws: ``StoreError`` (`invalidDocument`) naming `path`, with the
    ///   line and column of a syntax error.
    init(bytes: [UInt8], path: String, limits: ParseLimits = .default) throws(StoreError) {
        let node: Node
        do {
            node = try YAMLReader(limits: limits).readDocument(bytes)
        } catch {
            throw StoreError.invalidDocument(path, error)
        }
        guard let mapping = node.mapping else {
            throw StoreError(
                .invalidDocument, path: path, location: node.location ?? SourceLocation(line: 1, column: 1, offset: 0),
                "a resource file holds one mapping (apiVersion, kind, metadata, spec, status), not \(node.kindDescription)")
        }
        self.bytes = bytes
        self.root = mapping
    }

    /// `apiVersion`, `kind`, `metadata`, `spec` and any other key but `status`.
    var producerSection: Node.Mapping {
        var section = root
        section[Self.statusKey] = nil
        return section
    }

    /// The status; `nil` when absent or `null`.
    var status: Node? { Self.status(in: root) }

    static func status(in mapping: Node.Mapping) -> Node? {
        guard let status = mapping[statusKey], !status.isNull else { return nil }
        return status
    }

    /// The digest of a spec's content.
    static func specDigest(of mapping: Node.Mapping) -> String {
        SpecDigest.of(mapping[specKey] ?? .null)
    }

    /// The spec digest recorded in a status, if any.
    static func observedSpecDigest(in mapping: Node.Mapping) -> String? {
        status(in: mapping)?[observedSpecDigestKey]?.string
    }

    /// `metadata.generation`, or 0.
    static func generation(in mapping: Node.Mapping) -> Int64 {
        mapping[metadataKey]?["generation"]?.number?.integer(as: Int64.self) ?? 0
    }
}

/// A digest of a node's content: 64-bit FNV-1a over its YAML text written
/// with sorted keys, as 16 hexadecimal digits. It detects changes; it is
/// not a cryptographic hash and must not be used to authenticate anything.
enum SpecDigest {
    static func of(_ node: Node) -> String {
        let text = String(fnv1a(YAMLWriter(options: .sortedKeys).writeBytes(node)), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// 64-bit FNV-1a of `bytes`.
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
