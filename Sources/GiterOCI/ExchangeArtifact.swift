import Giter

/// The OCI artifact that holds an exchange's state at one commit; see
/// `Documentation/OCI.md` for the format.
///
/// Its layers, in order: the contract (`.giter/`), one per kind (the live
/// resource files of that kind, every namespace), each a tar archive of
/// the files at their paths in the repository, written the same way every
/// time (``TarArchive``); then a Git bundle of the commit, with the whole
/// branch up to it. Its config names the commit, the branch and the
/// publishing site.
public enum ExchangeArtifact {
    /// The manifest's `artifactType`.
    public static let artifactType = "application/vnd.giter.exchange.v1"
    /// The config blob: `{"branch", "commit", "kinds", "site"}` as JSON.
    public static let configMediaType = "application/vnd.giter.exchange.config.v1+json"
    /// The layer of the contract: a tar archive of `.giter/`.
    public static let contractMediaType = "application/vnd.giter.contract.v1.tar"
    /// A layer of one kind: a tar archive of `resources/*/<Kind>/**`.
    public static let resourcesMediaType = "application/vnd.giter.resources.v1.tar"
    /// The Git bundle of the commit (`gitformat-bundle(5)`, version 2).
    public static let bundleMediaType = "application/vnd.giter.bundle.v1"
    /// The annotation that names the commit, on the manifest.
    public static let commitAnnotation = "dev.giter.commit"
    /// The annotation that names a kind layer's kind.
    public static let kindAnnotation = "dev.giter.kind"
    /// The annotation that names the publishing site, on the manifest.
    public static let siteAnnotation = "dev.giter.site"
    /// The annotation that names the branch, on the manifest.
    public static let branchAnnotation = "dev.giter.branch"
    static let revisionAnnotation = "org.opencontainers.image.revision"
    static let titleAnnotation = "org.opencontainers.image.title"

    /// The config blob's contents.
    struct Config: Codable, Hashable {
        var branch: String
        var commit: String
        var kinds: [String]
        var site: String
    }

    /// A layer: its descriptor and its bytes.
    struct Layer {
        var descriptor: OCIDescriptor
        var bytes: [UInt8]
    }

    /// The contract layer and one layer per kind (sorted by kind) of the
    /// files at `commit`: the same bytes for the same commit, everywhere.
    ///
    /// - Throws: ``OCIError`` with code `tooLarge` as soon as the files read
    ///   for one layer pass `maxLayerBytes` (a layer a follower would not
    ///   read): blobs are read 64 at a time, each blob whole.
    static func stateLayers(at commit: ObjectID, reader: any RepositoryReader, maxLayerBytes: Int) async throws
        -> [Layer]
    {
        var layers: [Layer] = []
        let contract = try await reader.treeEntries(at: commit, under: Contract.folder)
        layers.append(
            try await layer(
                of: contract, reader: reader, mediaType: contractMediaType,
                annotations: [titleAnnotation: "giter-contract.tar"], maxBytes: maxLayerBytes,
                commit: commit))
        var byKind: [String: [TreeEntry]] = [:]
        for entry in try await reader.treeEntries(at: commit, under: ResourceKey.resourcesFolder) {
            let components = entry.path.split(separator: "/")
            // resources/<namespace>/<Kind>/…: other files (a README) belong to no kind.
            guard components.count >= 4 else { continue }
            byKind[String(components[2]), default: []].append(entry)
        }
        for kind in byKind.keys.sorted() {
            layers.append(
                try await layer(
                    of: byKind[kind] ?? [], reader: reader, mediaType: resourcesMediaType,
                    annotations: [kindAnnotation: kind, titleAnnotation: "\(kind).tar"],
                    maxBytes: maxLayerBytes, commit: commit))
        }
        return layers
    }

    private static func layer(
        of entries: [TreeEntry], reader: any RepositoryReader, mediaType: String, annotations: [String: String],
        maxBytes: Int, commit: ObjectID
    ) async throws -> Layer {
        var archive = TarArchive()
        let sorted = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        var start = 0
        while start < sorted.count {
            let batch = sorted[start..<min(start + 64, sorted.count)]
            let contents = try await reader.blobs(batch.map(\.id))
            for (entry, bytes) in zip(batch, contents) { archive.append(path: entry.path, contents: bytes) }
            guard archive.bytes.count + 1024 <= maxBytes else {
                let what = annotations[kindAnnotation].map { "the layer of \($0)" } ?? "the contract layer"
                throw OCIError(
                    .tooLarge,
                    "\(what) at \(commit.short) is larger than \(maxBytes) bytes, the most a follower reads")
            }
            start = batch.endIndex
        }
        let bytes = archive.finished()
        return Layer(descriptor: OCIDescriptor(mediaType: mediaType, bytes: bytes, annotations: annotations), bytes: bytes)
    }
}
