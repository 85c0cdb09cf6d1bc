import Crypto
import GiterCodec

/// A content descriptor of the OCI image specification: what a manifest
/// says about a blob (its media type, digest and size).
public struct OCIDescriptor: Sendable, Hashable, Codable {
    public var mediaType: String
    /// `sha256:` and 64 lower-case hex digits.
    public var digest: String
    public var size: Int
    public var annotations: [String: String]?

    public init(mediaType: String, digest: String, size: Int, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }

    /// The descriptor of `bytes`.
    public init(mediaType: String, bytes: [UInt8], annotations: [String: String]? = nil) {
        self.init(mediaType: mediaType, digest: Self.digest(of: bytes), size: bytes.count, annotations: annotations)
    }

    /// The `sha256:<hex>` digest of `bytes`.
    public static func digest(of bytes: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `digest` is `sha256:` and 64 lower-case hex digits: the only
    /// digests Giter reads (and so the only ones that reach a URL or a tag).
    public static func isSHA256Digest(_ digest: String) -> Bool {
        let bytes = Array(digest.utf8)
        return bytes.count == 71 && digest.hasPrefix("sha256:")
            && bytes[7...].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// An OCI image manifest (`application/vnd.oci.image.manifest.v1+json`),
/// as Giter writes and reads it.
public struct OCIManifest: Sendable, Hashable, Codable {
    public static let mediaType = "application/vnd.oci.image.manifest.v1+json"

    public var schemaVersion: Int
    public var mediaType: String
    public var artifactType: String?
    public var config: OCIDescriptor
    public var layers: [OCIDescriptor]
    /// The manifest this one refers to (a signature names what it signs).
    public var subject: OCIDescriptor?
    public var annotations: [String: String]?

    public init(
        artifactType: String?, config: OCIDescriptor, layers: [OCIDescriptor], subject: OCIDescriptor? = nil,
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = 2
        self.mediaType = Self.mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }

    /// The manifest's JSON text.
    public func encoded() throws -> [UInt8] {
        Array(try DocumentEncoder().encodeJSON(self).utf8)
    }

    /// Reads a manifest (strict JSON, at most ``OCIRegistry/maximumManifestSize`` bytes).
    public init(decoding bytes: [UInt8], what: String) throws(OCIError) {
        guard bytes.count <= OCIRegistry.maximumManifestSize else {
            throw OCIError(.tooLarge, "\(what) is larger than \(OCIRegistry.maximumManifestSize) bytes")
        }
        do {
            self = try DocumentDecoder().decode(OCIManifest.self, fromJSON: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw OCIError(.malformed, "\(what) is not an OCI image manifest: \(error)")
        }
        guard schemaVersion == 2, mediaType == Self.mediaType else {
            throw OCIError(
                .malformed, "\(what) is not an OCI image manifest (schemaVersion \(schemaVersion), mediaType \(mediaType))")
        }
        for descriptor in [config] + layers + (subject.map { [$0] } ?? []) {
            guard OCIDescriptor.isSHA256Digest(descriptor.digest), descriptor.size >= 0 else {
                throw OCIError(
                    .malformed, "\(what) names a blob by '\(descriptor.digest.prefix(80))', not by a sha256 digest")
            }
        }
    }
}
