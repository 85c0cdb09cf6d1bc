public import Giter
import GiterCodec

/// Publishes an exchange's state to an OCI registry, and follows it from
/// there, for a party that cannot reach the exchange's Git server.
///
/// ``publish(site:signer:)`` writes the state at the tip of the exchange
/// branch as one artifact (``ExchangeArtifact``): the contract, one layer
/// per kind and a Git bundle of the commit, annotated with the commit id.
/// It signs the manifest's digest with the publisher's SSH key (`sshsig`,
/// namespace ``signatureNamespace``) and stores the signature as a second
/// manifest under the tag ``signatureTag(for:)``, which a plain
/// distribution registry holds. The artifact is tagged with the commit id
/// and, last, with the followed tag.
///
/// ``follow(signer:)`` reads the tag, and before anything changes checks:
/// the signature over the manifest's digest; that its key belongs to a
/// producer or admin in the policy at the follower's own tip (before the
/// bundle is read); the bundle against its digest and a size limit; through
/// the checks of ``ExchangeBundle/importBundle(_:)``, every new commit by
/// the contract and its signatures; that the key is a producer's or an
/// admin's in the policy at the published commit too; and that the layers
/// are exactly the ones the commit gives, rebuilt and compared by digest.
/// The config blob and the kind layers are not downloaded: the config
/// repeats the manifest's annotations for other tools, and the follower
/// uses only the commit annotation and the bundle. Only then does the
/// follower's repository (the transport's remote) move to the commit. The
/// follower answers through Git or with a bundle (`giter bundle export
/// --for SITE`), as an air-gapped site does; see `Documentation/OCI.md`.
public struct OCIMirror: Sendable {
    /// What ``publish(site:signer:)`` wrote.
    public struct Publication: Sendable, Hashable {
        /// The published commit.
        public var commit: ObjectID
        /// The artifact's manifest.
        public var manifest: OCIDescriptor
        /// The kinds with a layer.
        public var kinds: [String]
        /// The fingerprint of the key that signed.
        public var signer: String
        /// The size of the bundle layer, in bytes.
        public var bundleSize: Int
    }

    /// What ``follow(signer:)`` found.
    public enum Outcome: Sendable, Hashable {
        /// The follower's repository holds the published commit already
        /// (or a later one): nothing changed.
        case upToDate(ObjectID)
        /// The published commit was checked and brought in.
        case imported(Followed)
    }

    /// A publication that was checked and brought in.
    public struct Followed: Sendable, Hashable {
        public var commit: ObjectID
        /// The manifest's digest.
        public var manifest: String
        /// The member whose key signed, and the key's fingerprint.
        public var signer: String
        /// What the import did in the follower's repository.
        public var result: ExchangeBundle.Import
    }

    /// The `sshsig` namespace of a publication's signature, so that a
    /// commit signature (namespace `git`) cannot pass for one, nor the
    /// other way round.
    public static let signatureNamespace = "giter-oci"
    /// The signature manifest's `artifactType`.
    public static let signatureArtifactType = "application/vnd.giter.signature.v1"
    /// The signature layer: an armored `sshsig` signature.
    public static let signatureMediaType = "application/vnd.giter.sshsig.v1"
    static let emptyMediaType = "application/vnd.oci.empty.v1+json"

    /// The most bytes of a bundle layer a follower reads: ``ExchangeBundle/maximumSize``, as `giter bundle import`.
    public static let maximumBundleSize = ExchangeBundle.maximumSize
    /// The most bytes of a contract or kind layer a follower reads.
    public static let maximumLayerSize = 256 << 20
    /// The most layers a follower accepts.
    public static let maximumLayers = 4096
    static let maximumSignatureSize = 16 << 10

    /// The tag of the signature of the manifest with `digest`:
    /// `sha256-<hex>.sig`.
    public static func signatureTag(for digest: String) -> String {
        String(digest.map { $0 == ":" ? "-" : $0 }) + ".sig"
    }

    let transport: any Transport
    let registry: OCIRegistry
    let reference: OCIReference

    /// A mirror of the exchange `transport` reaches, at `reference`.
    /// For a follower, the transport's remote is the follower's own
    /// repository, which the publication updates.
    public init(transport: any Transport, registry: OCIRegistry, reference: OCIReference) {
        self.transport = transport
        self.registry = registry
        self.reference = reference
    }

    /// Publishes the state at the tip of the exchange branch, as `site`,
    /// signed by `signer` (an SSH key of a producer or admin in the policy;
    /// make it with namespace ``signatureNamespace``).
    public func publish(site: String, signer: any CommitSigner) async throws -> Publication {
        try ExchangeBundle.checkSiteName(site)
        let branch = transport.configuration.branch
        guard let commit = try await transport.fetch() else {
            throw OCIError(.nothingToPublish, "the exchange branch \(branch) does not exist yet: there is nothing to publish")
        }
        let policy = try await Self.policy(at: commit, reader: transport)
        let layers = try await ExchangeArtifact.stateLayers(
            at: commit, reader: transport, maxLayerBytes: Self.maximumLayerSize)
        let kinds = layers.compactMap { $0.descriptor.annotations?[ExchangeArtifact.kindAnnotation] }
        let pack = try await transport.packObjects(reachableFrom: commit, excluding: nil)
        let bundle = BundleFile(
            prerequisites: [],
            references: [
                BundleFile.Reference(id: commit, name: "refs/heads/\(branch)"),
                BundleFile.Reference(id: commit, name: ExchangeBundle.siteReference(for: site)),
            ],
            pack: pack
        ).encoded()
        let config = Array(
            try DocumentEncoder().encodeJSON(
                ExchangeArtifact.Config(branch: branch, commit: commit.hex, kinds: kinds, site: site)
            ).utf8)
        let repository = reference.repository
        let configDescriptor = try await registry.pushBlob(
            config, mediaType: ExchangeArtifact.configMediaType, to: repository)
        var descriptors: [OCIDescriptor] = []
        for layer in layers {
            descriptors.append(
                try await registry.pushBlob(
                    layer.bytes, mediaType: layer.descriptor.mediaType, annotations: layer.descriptor.annotations,
                    to: repository))
        }
        descriptors.append(
            try await registry.pushBlob(
                bundle, mediaType: ExchangeArtifact.bundleMediaType,
                annotations: ["org.opencontainers.image.title": "exchange.bundle"], to: repository))
        let manifest = try OCIManifest(
            artifactType: ExchangeArtifact.artifactType, config: configDescriptor, layers: descriptors,
            annotations: [
                ExchangeArtifact.commitAnnotation: commit.hex,
                ExchangeArtifact.revisionAnnotation: commit.hex,
                ExchangeArtifact.branchAnnotation: branch,
                ExchangeArtifact.siteAnnotation: site,
            ]
        ).encoded()
        let digest = OCIDescriptor.digest(of: manifest)
        let signature = try await sign(digest, with: signer, policy: policy, commit: commit)

        // The commit's own tag and the signature first, the followed tag
        // last: a follower never finds the tag on an unsigned manifest.
        let published = try await registry.pushManifest(manifest, to: repository, reference: commit.hex)
        let signatureLayer = try await registry.pushBlob(
            Array(signature.armored.utf8), mediaType: Self.signatureMediaType, to: repository)
        let empty = try await registry.pushBlob(Array("{}".utf8), mediaType: Self.emptyMediaType, to: repository)
        let signatureManifest = try OCIManifest(
            artifactType: Self.signatureArtifactType, config: empty, layers: [signatureLayer],
            subject: OCIDescriptor(mediaType: OCIManifest.mediaType, digest: digest, size: manifest.count),
            annotations: ["dev.giter.signer": signature.publicKey.fingerprint]
        ).encoded()
        try await registry.pushManifest(signatureManifest, to: repository, reference: Self.signatureTag(for: digest))
        if reference.tag != commit.hex {
            try await registry.pushManifest(manifest, to: repository, reference: reference.tag)
        }
        return Publication(
            commit: commit, manifest: published, kinds: kinds, signer: signature.publicKey.fingerprint,
            bundleSize: bundle.count)
    }

    /// Reads the tag, checks the publication and, when it is new, brings
    /// its commit into the follower's repository. `signer` signs this
    /// site's own commits that the import writes again on top (see
    /// ``ExchangeBundle/importBundle(_:)``).
    ///
    /// - Throws: ``OCIError`` (unsigned, a bad or untrusted signature, a
    ///   blob that does not match its digest or is too large, a layer that
    ///   does not match the commit), ``BundleError`` (the contract refuses a
    ///   commit), `TransportError`. Nothing changed when it throws.
    public func follow(signer: (any CommitSigner)? = nil) async throws -> Outcome {
        let repository = reference.repository
        guard let manifestBytes = try await registry.manifest(in: repository, reference: reference.tag) else {
            throw OCIError(.notFound, "\(reference) does not exist: nothing was published there yet")
        }
        let digest = OCIDescriptor.digest(of: manifestBytes)
        let manifest = try OCIManifest(decoding: manifestBytes, what: "the manifest of \(reference)")
        guard manifest.artifactType == ExchangeArtifact.artifactType,
            manifest.config.mediaType == ExchangeArtifact.configMediaType,
            let commitText = manifest.annotations?[ExchangeArtifact.commitAnnotation],
            let commit = ObjectID(hex: commitText)
        else {
            throw OCIError(
                .malformed, "\(reference) is not an exchange published by giter oci push (no \(ExchangeArtifact.artifactType) "
                    + "artifact naming its commit)")
        }
        let signature = try await signature(of: digest)

        let current = try await transport.fetch()
        if let current, try await transport.resolve(commit.hex) != nil {
            let holds = try await ExchangeLedger.chain(from: current, to: commit, reader: transport) != nil
            if current == commit || holds {
                // Nothing to bring in, but a publication by a key the policy does not list is still refused.
                // The commit is on this site's checked branch, so its policy is one this site accepted.
                _ = try await publisher(of: signature, at: commit)
                return .upToDate(current)
            }
        }
        if let current {
            // Judged by the policy this site holds, before a byte of the bundle is read: the policy at the
            // published commit comes from the publication itself.
            _ = try await publisher(of: signature, at: current, tip: true)
        }
        try checkShape(of: manifest)
        guard let bundleDescriptor = manifest.layers.last,
            bundleDescriptor.mediaType == ExchangeArtifact.bundleMediaType
        else {
            throw OCIError(.malformed, "the manifest of \(reference) does not end with its bundle layer")
        }
        let bundleBytes = try await registry.blob(in: repository, bundleDescriptor, maxBytes: Self.maximumBundleSize)
        let bundle = try BundleFile(decoding: bundleBytes)
        let branch = transport.configuration.branch
        guard bundle.prerequisites.isEmpty, bundle.reference(named: "refs/heads/\(branch)") == commit else {
            throw OCIError(
                .layerMismatch, "the bundle of \(reference) does not hold \(branch) at \(commit.short), the commit the manifest names")
        }
        let importer = ExchangeBundle(transport: transport, signer: signer)
        let checked: ExchangeBundle.CheckedImport
        do {
            checked = try await importer.check(bundleBytes)
        } catch let error as BundleError where error.code == .corrupted {
            throw OCIError(.digestMismatch, "\(reference): \(error.message)")
        }
        // The policy at the commit now passed the contract from this site's tip (or, on the first follow, is
        // the history's own: see Documentation/OCI.md).
        let member = try await publisher(of: signature, at: commit)
        try await checkLayers(Array(manifest.layers.dropLast()), commit: commit)

        let result = try await importer.complete(checked)
        return .imported(
            Followed(commit: commit, manifest: digest, signer: "\(member) (\(signature.publicKey.fingerprint))", result: result))
    }

    // MARK: Signatures

    private func sign(_ digest: String, with signer: any CommitSigner, policy: ExchangePolicy, commit: ObjectID)
        async throws -> SSHSignature
    {
        let armored = try await signer.signature(for: Array(digest.utf8))
        guard let signature = try? SSHSignature(armored: armored) else {
            throw OCIError(.signing, "publications are signed with an SSH key (sshsig); give an SSH signing key")
        }
        guard signature.verifies(Array(digest.utf8), namespace: Self.signatureNamespace) else {
            throw OCIError(
                .signing,
                "the signer made a signature in the namespace '\(signature.namespace)'; a publication's namespace is "
                    + "'\(Self.signatureNamespace)'")
        }
        guard Self.publisher(signature.publicKey, in: policy) != nil else {
            throw OCIError(
                .signing,
                "the key \(signature.publicKey.fingerprint) is not a producer's or an admin's in the policy at "
                    + "\(commit.short): followers would refuse the publication; sign with a key the policy lists")
        }
        return signature
    }

    private func signature(of digest: String) async throws -> SSHSignature {
        let tag = Self.signatureTag(for: digest)
        guard let bytes = try await registry.manifest(in: reference.repository, reference: tag) else {
            throw OCIError(
                .unsigned,
                "\(reference) (\(digest)) is not signed: the registry has no signature under the tag \(tag); "
                    + "nothing was imported")
        }
        let manifest = try OCIManifest(decoding: bytes, what: "the signature manifest \(tag)")
        guard manifest.artifactType == Self.signatureArtifactType, manifest.subject?.digest == digest,
            manifest.layers.count == 1, let layer = manifest.layers.first, layer.mediaType == Self.signatureMediaType
        else {
            throw OCIError(.malformed, "the signature manifest \(tag) is not a Giter signature of \(digest)")
        }
        let armored = try await registry.blob(in: reference.repository, layer, maxBytes: Self.maximumSignatureSize)
        let signature: SSHSignature
        do {
            signature = try SSHSignature(armored: String(decoding: armored, as: UTF8.self))
        } catch {
            throw OCIError(.badSignature, "the signature of \(reference) is not an SSH signature: \(error.message)")
        }
        guard signature.verifies(Array(digest.utf8), namespace: Self.signatureNamespace) else {
            throw OCIError(
                .badSignature,
                "the signature of \(reference) does not verify over the manifest's digest \(digest) (namespace "
                    + "'\(Self.signatureNamespace)'): the manifest or the signature was changed; nothing was imported")
        }
        return signature
    }

    /// The member who made `signature`, by the policy at `commit` (`tip`:
    /// the follower's own tip, not the published commit).
    private func publisher(of signature: SSHSignature, at commit: ObjectID, tip: Bool = false) async throws -> String {
        let policy = try await Self.policy(at: commit, reader: transport)
        guard let member = Self.publisher(signature.publicKey, in: policy) else {
            throw OCIError(
                .untrustedSigner,
                "\(reference) is signed by \(signature.publicKey.algorithm.rawValue) \(signature.publicKey.fingerprint), "
                    + "which no producer or admin holds in the policy at \(commit.short)"
                    + (tip ? ", this site's tip" : "") + "; nothing was imported")
        }
        return member
    }

    /// The member (`email of party`) of a producer or admin party that holds `key`.
    static func publisher(_ key: SSHPublicKey, in policy: ExchangePolicy) -> String? {
        for party in policy.parties where party.role == .producer || party.role == .admin {
            for member in party.members where member.signingKeys.contains(.ssh(key)) {
                return "\(member.email) of \(party.name)"
            }
        }
        return nil
    }

    static func policy(at commit: ObjectID, reader: any RepositoryReader) async throws -> ExchangePolicy {
        let entry = try await reader.treeEntries(at: commit, under: Contract.folder).first { $0.path == ExchangePolicy.path }
        guard let entry, let policy = try ExchangePolicy.parse(try await reader.blob(entry.id)) else {
            throw OCIError(
                .untrustedSigner,
                "the exchange at \(commit.short) has no policy (\(ExchangePolicy.path)), so no key may publish it")
        }
        return policy
    }

    // MARK: Layers

    /// What a manifest must look like before its bundle is read: at most
    /// ``maximumLayers`` layers; one contract layer, one layer per kind and
    /// one bundle layer, and nothing else; no layer twice. (The order, and
    /// that the layers are the commit's, ``checkLayers(_:commit:)`` checks.)
    private func checkShape(of manifest: OCIManifest) throws(OCIError) {
        let layers = manifest.layers
        guard layers.count <= Self.maximumLayers else {
            throw OCIError(
                .tooLarge,
                "the manifest of \(reference) has \(layers.count) layers; Giter reads at most \(Self.maximumLayers)")
        }
        let bundles = layers.filter { $0.mediaType == ExchangeArtifact.bundleMediaType }.count
        let contracts = layers.filter { $0.mediaType == ExchangeArtifact.contractMediaType }.count
        guard bundles == 1, contracts == 1 else {
            throw OCIError(
                .malformed,
                "the manifest of \(reference) has \(contracts) contract and \(bundles) bundle layers; a publication "
                    + "has one of each")
        }
        let kinds = layers.compactMap {
            $0.mediaType == ExchangeArtifact.resourcesMediaType ? $0.annotations?[ExchangeArtifact.kindAnnotation] : nil
        }
        guard kinds.count == layers.count - 2, Set(kinds).count == kinds.count,
            Set(layers.map(\.digest)).count == layers.count
        else {
            throw OCIError(
                .malformed,
                "the manifest of \(reference) lists a layer twice, or a layer that is neither the contract, a kind's "
                    + "(one per kind) nor the bundle; nothing was read")
        }
    }

    /// The layers but the bundle are exactly the ones the commit gives, one
    /// descriptor each, in order. Each is rebuilt from the commit (which
    /// the bundle brought and the contract accepted) and compared by
    /// digest; the registry's copies are not read, since the follower never
    /// uses their bytes.
    private func checkLayers(_ published: [OCIDescriptor], commit: ObjectID) async throws {
        let expected = try await ExchangeArtifact.stateLayers(
            at: commit, reader: transport, maxLayerBytes: Self.maximumLayerSize
        ).map(\.descriptor)
        func label(_ descriptor: OCIDescriptor) -> String {
            descriptor.annotations?[ExchangeArtifact.kindAnnotation].map { "the layer of \($0)" } ?? "the contract layer"
        }
        for descriptor in published {
            guard expected.contains(where: { $0.digest == descriptor.digest && $0.mediaType == descriptor.mediaType }) else {
                throw OCIError(
                    .layerMismatch,
                    "\(label(descriptor)) of \(reference) does not hold the files of \(commit.short), the commit the "
                        + "manifest names; nothing was imported")
            }
        }
        for descriptor in expected where !published.contains(where: { $0.digest == descriptor.digest }) {
            throw OCIError(
                .layerMismatch,
                "\(reference) lacks \(label(descriptor)) of \(commit.short); nothing was imported")
        }
        guard published.map(\.digest) == expected.map(\.digest) else {
            throw OCIError(
                .layerMismatch,
                "the layers of \(reference) are not the parts of \(commit.short) in Giter's order; nothing was "
                    + "imported")
        }
    }
}
