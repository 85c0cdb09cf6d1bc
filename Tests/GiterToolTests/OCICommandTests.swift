import Foundation
import GitServerFixtures
import Synchronization
import Giter
import GiterOCI
import Testing

/// `giter oci push|follow` against a real registry (Debian's
/// `docker-registry`) on loopback: a producer's site publishes a signed
/// exchange, a consumer's site that shares no Git server with it follows
/// the registry and answers with a bundle; every publication that was
/// changed, signed by a stranger or not signed is refused with nothing
/// changed.
@Suite("giter oci")
struct OCICommandTests {
    /// The lab's signed exchange, the field's empty bare repository, and a registry.
    struct Sites {
        let signed: SignedExchange
        let field: ExchangeFixture
        let registry: OCIRegistryServer
        let reference: String

        var lab: ExchangeFixture { signed.exchange }

        /// `nil` when `docker-registry` or `ssh-keygen` is missing locally (skipped, with a message).
        static func make(
            _ backend: ToolBackend, login: (user: String, password: String)? = nil, tokens: OCITokenServer? = nil
        ) async throws -> Sites? {
            guard try TestRequirements.available(OCIRegistryServer.unavailableReason, for: "the OCI mirror"),
                let signed = try await SignedExchange.make(backend: backend)
            else { return nil }
            let registry = try tokens.map { try OCIRegistryServer(tokenServer: $0) } ?? OCIRegistryServer(login: login)
            try await registry.start()
            let field = try await ExchangeFixture(backend: backend, initialized: false)
            try await runGitChecked(["init", "--quiet", "--bare", field.remote])
            return Sites(signed: signed, field: field, registry: registry, reference: "\(try registry.host)/lab/exchange")
        }

        func applyExperiment(_ name: String) async throws {
            let result = try await lab.giter(
                ["apply", "-f", "-", "--signing-key", signed.producer.privateKey], stdin: ExchangeFixture.experiment(name))
            try #require(result.status == 0, "apply failed: \(result.stderr)")
        }

        func push(key: String? = nil, tag: String = "latest", environment: [String: String] = [:]) async throws
            -> GiterProcess.Result
        {
            try await lab.giter(
                ["oci", "push", "\(reference):\(tag)", "--plain-http", "--site", "lab",
                 "--signing-key", key ?? signed.producer.privateKey], environment: environment)
        }

        func follow(tag: String = "latest", environment: [String: String] = [:]) async throws -> GiterProcess.Result {
            try await field.giter(
                ["oci", "follow", "\(reference):\(tag)", "--plain-http", "--signing-key", signed.consumer.privateKey],
                environment: environment)
        }

        var client: OCIRegistry {
            get throws { OCIRegistry(host: try registry.host, plainHTTP: true, timeout: .seconds(60)) }
        }

        /// The manifest under `tag`, its bytes and digest.
        func manifest(_ tag: String = "latest") async throws -> (manifest: OCIManifest, bytes: [UInt8], digest: String) {
            let bytes = try #require(try await client.manifest(in: "lab/exchange", reference: tag))
            return (try OCIManifest(decoding: bytes, what: "the manifest"), bytes, OCIDescriptor.digest(of: bytes))
        }

        /// Stores `manifest` under `tag`, and a signature of it by `key` unless `key` is `nil`.
        func store(_ manifest: OCIManifest, tag: String, signedBy key: SSHTestKey?) async throws {
            let bytes = try manifest.encoded()
            let client = try client
            try await client.pushManifest(bytes, to: "lab/exchange", reference: tag)
            guard let key else { return }
            let digest = OCIDescriptor.digest(of: bytes)
            let signer = try SSHSigning.signer(keyFile: key.privateKey, environment: [:], namespace: OCIMirror.signatureNamespace)
            let armored = try await signer.signature(for: Array(digest.utf8))
            try await storeSignature(Array(armored.utf8), of: digest, size: bytes.count)
        }

        /// Stores `armored` as the signature of the manifest `digest`.
        func storeSignature(_ armored: [UInt8], of digest: String, size: Int) async throws {
            let client = try client
            let layer = try await client.pushBlob(armored, mediaType: OCIMirror.signatureMediaType, to: "lab/exchange")
            let empty = try await client.pushBlob(
                Array("{}".utf8), mediaType: "application/vnd.oci.empty.v1+json", to: "lab/exchange")
            let manifest = OCIManifest(
                artifactType: OCIMirror.signatureArtifactType, config: empty, layers: [layer],
                subject: OCIDescriptor(mediaType: OCIManifest.mediaType, digest: digest, size: size))
            try await client.pushManifest(
                try manifest.encoded(), to: "lab/exchange", reference: OCIMirror.signatureTag(for: digest))
        }
    }

    static func refs(_ remote: String) async throws -> String {
        try await runGitChecked(["--git-dir", remote, "for-each-ref", "--format=%(objectname) %(refname)"]).stdout
    }

    static func tip(_ remote: String) async throws -> String {
        try await runGitChecked(["--git-dir", remote, "rev-parse", "main"]).trimmedStdout
    }

    /// The paper's cycle through a registry: the lab publishes, the field
    /// follows (creating its exchange), answers with a status in a bundle,
    /// and follows the lab's next publication, which holds its answer.
    @Test(arguments: ToolBackend.allCases)
    func publishFollowAndAnswer(_ backend: ToolBackend) async throws {
        guard let sites = try await Sites.make(backend) else { return }
        try await sites.applyExperiment("sort-1")

        let pushed = try await sites.push()
        try #require(pushed.status == 0, "push failed: \(pushed.stderr)")
        let labTip = try await Self.tip(sites.lab.remote)
        #expect(pushed.stdout.hasPrefix("published \(labTip.prefix(7)) to \(sites.reference):latest (sha256:"), "\(pushed.stdout)")
        #expect(pushed.stdout.contains("1 kind(s), signed by \(sites.signed.producer.fingerprint)"), "\(pushed.stdout)")

        // The artifact: the contract, the Experiment layer, the bundle; the commit annotated and tagged.
        let (manifest, _, digest) = try await sites.manifest()
        #expect(manifest.annotations?[ExchangeArtifact.commitAnnotation] == labTip)
        #expect(manifest.layers.map(\.mediaType) == [
            ExchangeArtifact.contractMediaType, ExchangeArtifact.resourcesMediaType, ExchangeArtifact.bundleMediaType,
        ])
        #expect(manifest.layers[1].annotations?[ExchangeArtifact.kindAnnotation] == "Experiment")
        let byCommit = try await sites.manifest(labTip)
        #expect(byCommit.digest == digest, "the artifact is tagged with its commit too")
        // The kind layer is a tar archive that tar reads: the resource file at its path.
        let layer = try await sites.client.blob(in: "lab/exchange", manifest.layers[1], maxBytes: 1 << 20)
        let archive = sites.lab.directory.url.appendingPathComponent("experiment.tar")
        try Data(layer).write(to: archive)
        let tar = try ExecutableLocator.require("tar", package: "tar")
        let listing = try await ProcessRunner.runChecked(tar, ["tf", archive.path], environment: [:]).stdout
        #expect(listing.hasPrefix("resources/default/Experiment/") && listing.contains("sort-1.yaml"), "\(listing)")
        // ssh-keygen accepts the signature over the digest, in the giter-oci namespace.
        let signatureManifest = try await sites.manifest(OCIMirror.signatureTag(for: digest)).manifest
        let signature = try await sites.client.blob(in: "lab/exchange", signatureManifest.layers[0], maxBytes: 1 << 16)
        let signatureFile = sites.lab.directory.url.appendingPathComponent("manifest.sig")
        try Data(signature).write(to: signatureFile)
        let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
        let checked = try await ProcessRunner.run(
            keygen, ["-Y", "check-novalidate", "-n", "giter-oci", "-s", signatureFile.path], environment: [:],
            input: Data(digest.utf8), timeLimit: .seconds(30))
        #expect(checked.status == 0, "ssh-keygen: \(checked.stderr)")

        let created = try await sites.follow()
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("imported 3 commit(s) from lab: (new exchange)..\(labTip.prefix(7))"), "\(created.stdout)")
        #expect(created.stdout.contains("signed by \(SignedExchange.producerEmail) of lab"), "\(created.stdout)")
        #expect(try await Self.tip(sites.field.remote) == labTip)
        let head = try await runGitChecked(["--git-dir", sites.field.remote, "symbolic-ref", "HEAD"]).trimmedStdout
        #expect(head == "refs/heads/main")
        let again = try await sites.follow()
        #expect(again.status == 0 && again.stdout == "up to date at \(labTip.prefix(7))\n", "\(again.stdout)\(again.stderr)")

        // The field answers with a bundle; the lab imports it and publishes again.
        try await sites.field.writeStatus("sort-1", signer: try sites.signed.consumer.signer())
        let answer = sites.field.directory.url.appendingPathComponent("field-1.bundle")
        let exported = try await sites.field.giter(["bundle", "export", "--site", "field", "--for", "lab", "-o", answer.path])
        try #require(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains(": 1 commit(s) after"), "only the status: \(exported.stdout)")
        let imported = try await sites.lab.giter(["bundle", "import", answer.path])
        try #require(imported.status == 0, "\(imported.stderr)")
        try await sites.applyExperiment("sort-2")
        let republished = try await sites.push()
        try #require(republished.status == 0, "\(republished.stderr)")
        let followed = try await sites.follow()
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(followed.stdout.hasPrefix("imported 1 commit(s) from lab: "), "sort-2; the status is the field's own: \(followed.stdout)")
        #expect(try await Self.tip(sites.field.remote) == (try await Self.tip(sites.lab.remote)))
        let seen = try await sites.field.giter(["get", "experiments"])
        #expect(seen.stdout.contains("sort-2"), "\(seen.stdout)")
        await sites.registry.stop()
    }

    /// The SDK API: `OCIMirror` over each backend's transport, as a host app uses it.
    @Test(arguments: ToolBackend.allCases)
    func theSDKPublishesAndFollows(_ backend: ToolBackend) async throws {
        guard let sites = try await Sites.make(backend) else { return }
        try await sites.applyExperiment("sort-1")
        let scratch = sites.lab.directory.url
        let labTransport = try await GuardTransportPushTests.transport(
            backend, url: sites.lab.remote, mirror: scratch.appendingPathComponent("sdk-lab").path)
        let fieldTransport = try await GuardTransportPushTests.transport(
            backend, url: sites.field.remote, mirror: scratch.appendingPathComponent("sdk-field").path)
        let registry = try sites.client
        let reference = try OCIReference(parsing: "\(sites.reference):sdk")

        // A signer in the commits' namespace cannot sign a publication.
        let commitSigner = try SSHSigning.signer(keyFile: sites.signed.producer.privateKey, environment: [:])
        await #expect(throws: OCIError.self) {
            try await OCIMirror(transport: labTransport, registry: registry, reference: reference).publish(
                site: "lab", signer: commitSigner)
        }
        #expect(try await registry.manifest(in: "lab/exchange", reference: "sdk") == nil, "nothing was published")

        let signer = try SSHSigning.signer(
            keyFile: sites.signed.producer.privateKey, environment: [:], namespace: OCIMirror.signatureNamespace)
        let publication = try await OCIMirror(transport: labTransport, registry: registry, reference: reference).publish(
            site: "lab", signer: signer)
        #expect(publication.commit.hex == (try await Self.tip(sites.lab.remote)))
        #expect(publication.kinds == ["Experiment"])
        #expect(publication.signer == sites.signed.producer.fingerprint)

        let follower = OCIMirror(transport: fieldTransport, registry: registry, reference: reference)
        guard case .imported(let followed) = try await follower.follow() else {
            Issue.record("the first follow imported nothing")
            return
        }
        #expect(followed.commit == publication.commit)
        #expect(followed.manifest == publication.manifest.digest)
        #expect(followed.result.sender == "lab" && followed.result.old == nil && followed.result.new == publication.commit)
        #expect(try await follower.follow() == .upToDate(publication.commit))
        await sites.registry.stop()
    }

    /// `giter oci follow --watch`: each new publication is imported, a
    /// refused one is reported on standard error and polling goes on;
    /// SIGTERM ends it with status 0.
    @Test(arguments: ToolBackend.allCases)
    func watchFollowsEachPublication(_ backend: ToolBackend) async throws {
        guard let sites = try await Sites.make(backend) else { return }
        try await sites.applyExperiment("sort-1")
        try #require(try await sites.push().status == 0)

        let output = try DescriptorPipe()
        let errorOutput = try DescriptorPipe()
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let process = try ChildProcess.spawn(
            try GiterProcess.executable().path,
            ["oci", "follow", "\(sites.reference):latest", "--plain-http", "--watch", "--interval", "1",
             "--signing-key", sites.signed.consumer.privateKey] + sites.field.options,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITER_") },
            descriptors: [0: devNull, 1: output.write, 2: errorOutput.write])
        close(devNull)
        close(output.write)
        close(errorOutput.write)
        let standardOutput = WatchedOutput(DescriptorReader.chunks(of: output.read))
        let standardError = WatchedOutput(DescriptorReader.chunks(of: errorOutput.read))
        do {
            let first = try await Self.tip(sites.lab.remote)
            try await standardOutput.wait(for: "imported 3 commit(s) from lab: (new exchange)..\(first.prefix(7))")
            try await sites.applyExperiment("sort-2")
            try #require(try await sites.push().status == 0)
            let second = try await Self.tip(sites.lab.remote)
            try await standardOutput.wait(for: "imported 1 commit(s) from lab: \(first.prefix(7))..\(second.prefix(7))")

            // An unsigned manifest under the followed tag: reported, and the polling goes on.
            var unsigned = try await sites.manifest().manifest
            unsigned.annotations?["dev.giter.note"] = "unsigned"
            try await sites.store(unsigned, tag: "latest", signedBy: nil)
            try await standardError.wait(for: "is not signed")
            #expect(try await Self.tip(sites.field.remote) == second)
            try await sites.applyExperiment("sort-3")
            try #require(try await sites.push().status == 0)
            let third = try await Self.tip(sites.lab.remote)
            try await standardOutput.wait(for: "imported 1 commit(s) from lab: \(second.prefix(7))..\(third.prefix(7))")
        } catch {
            await process.forceStop()
            throw error
        }
        process.signal(SIGTERM)
        let status = try await withDeadline(.seconds(30)) { await process.exit.value }
        #expect(status == 0, "giter oci follow --watch ends with 0 on SIGTERM (wait status \(status))")
        let printed = standardOutput.current
        #expect(printed.components(separatedBy: "up to date at").count <= 4, "once per commit at most: \(printed)")
        await sites.registry.stop()
    }

    /// A registry that requires a login: refused without one or with a
    /// wrong one, used with `GITER_REGISTRY_USERNAME` and `GITER_REGISTRY_PASSWORD`.
    @Test(arguments: ToolBackend.allCases)
    func aRegistryWithALogin(_ backend: ToolBackend) async throws {
        guard let sites = try await Sites.make(backend, login: ("lab", "s3cret-registry")) else { return }
        try await sites.applyExperiment("sort-1")
        let anonymous = try await sites.push()
        #expect(anonymous.status == 1 && anonymous.stderr.contains("refused access (HTTP 401)"), "\(anonymous.stderr)")
        let wrong = try await sites.push(environment: ["GITER_REGISTRY_USERNAME": "lab", "GITER_REGISTRY_PASSWORD": "nope"])
        #expect(wrong.status == 1 && wrong.stderr.contains("refused access (HTTP 401)"), "\(wrong.stderr)")
        let half = try await sites.push(environment: ["GITER_REGISTRY_USERNAME": "lab"])
        #expect(half.status == 64 && half.stderr.contains("GITER_REGISTRY_PASSWORD"), "\(half.stderr)")
        let login = ["GITER_REGISTRY_USERNAME": "lab", "GITER_REGISTRY_PASSWORD": "s3cret-registry"]
        let pushed = try await sites.push(environment: login)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(!(pushed.stdout + pushed.stderr).contains("s3cret"), "the password is never printed")
        let refused = try await sites.follow()
        #expect(refused.status == 1 && refused.stderr.contains("refused access (HTTP 401)"), "\(refused.stderr)")
        #expect(try await Self.refs(sites.field.remote).isEmpty)
        let followed = try await sites.follow(environment: login)
        #expect(
            followed.status == 0 && followed.stdout.hasPrefix("imported 3 commit(s) from lab"),
            "\(followed.stdout)\(followed.stderr)")
        await sites.registry.stop()
    }

    /// A registry that requires tokens (`auth: token`) of a token service
    /// that checks the login: the same variables as for basic
    /// authentication; an anonymous client gets a pull-only token, so it
    /// follows but cannot publish; a wrong password and a token service
    /// answering garbage are one-line errors; no password or token printed.
    @Test(arguments: ToolBackend.allCases)
    func aTokenRegistry(_ backend: ToolBackend) async throws {
        let reason = TestCertificateAuthority.unavailableReason
        guard try TestRequirements.available(reason, for: "the OCI token login") else { return }
        let tokens = try OCITokenServer(users: ["lab": "s3cret-token-login"], anonymousActions: ["pull"])
        try await tokens.start()
        guard let sites = try await Sites.make(backend, tokens: tokens) else {
            await tokens.stop()
            return
        }
        try await sites.applyExperiment("sort-1")
        func expectRefused(_ result: GiterProcess.Result, _ expected: String, _ comment: Comment) {
            #expect(result.status == 1 && result.isOneLineError, "\(comment): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(comment): \(result.stderr)")
        }
        expectRefused(
            try await sites.push(), "check that an anonymous client may push to lab/exchange", "anonymous push")
        let wrong = try await sites.push(
            environment: ["GITER_REGISTRY_USERNAME": "lab", "GITER_REGISTRY_PASSWORD": "nope-wrong"])
        expectRefused(wrong, "refused the login 'lab' (HTTP 401)", "a wrong password")
        #expect(!wrong.stderr.contains("nope-wrong"))

        let login = ["GITER_REGISTRY_USERNAME": "lab", "GITER_REGISTRY_PASSWORD": "s3cret-token-login"]
        let pushed = try await sites.push(environment: login)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        // Anonymous following: a pull-only token.
        let followed = try await sites.follow()
        #expect(followed.status == 0 && followed.stdout.hasPrefix("imported 3 commit(s) from lab"), "\(followed.stdout)\(followed.stderr)")
        #expect(try await Self.tip(sites.field.remote) == (try await Self.tip(sites.lab.remote)))

        tokens.answer(.garbage)
        try await sites.applyExperiment("sort-2")
        expectRefused(try await sites.push(environment: login), "are not a token", "a garbage token answer")
        tokens.answer(.token)
        #expect(try await sites.push(environment: login).status == 0)
        let again = try await sites.follow(environment: login)
        #expect(
            again.status == 0 && again.stdout.hasPrefix("imported 1 commit(s) from lab"),
            "\(again.stdout)\(again.stderr)")

        for result in [wrong, pushed, followed, again] {
            let printed = result.stdout + result.stderr
            #expect(
                !printed.contains("s3cret-token-login") && !printed.contains("eyJ"), "no password or token: \(printed)")
        }
        #expect(tokens.requests.allSatisfy { !($0.headers["authorization"] ?? "").hasPrefix("Bearer") })
        await sites.registry.stop()
        await tokens.stop()
    }

    /// Every bad publication is refused, leaving the follower's refs as they were.
    @Test(arguments: ToolBackend.allCases)
    func badPublicationsChangeNothing(_ backend: ToolBackend) async throws {
        guard let sites = try await Sites.make(backend) else { return }
        try await sites.applyExperiment("sort-1")
        try #require(try await sites.push().status == 0)
        try #require(try await sites.follow().status == 0)
        let followed = try await sites.manifest()
        try await sites.applyExperiment("sort-2")
        try #require(try await sites.push().status == 0)
        let good = try await sites.manifest()
        let before = try await Self.refs(sites.field.remote)

        func expectRefused(_ tag: String, _ expected: String, _ comment: Comment) async throws {
            let result = try await sites.follow(tag: tag)
            #expect(result.status == 1, comment)
            #expect(result.isOneLineError, "\(comment): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(comment): \(result.stderr)")
            #expect(try await Self.refs(sites.field.remote) == before, comment)
        }

        // Unsigned: the manifest stored again with one more annotation, and no signature.
        var unsigned = good.manifest
        unsigned.annotations?["dev.giter.note"] = "unsigned"
        try await sites.store(unsigned, tag: "unsigned", signedBy: nil)
        try await expectRefused("unsigned", "is not signed", "an unsigned manifest")

        // A changed manifest under the genuine signature: it no longer verifies.
        var changed = good.manifest
        changed.annotations?["dev.giter.note"] = "changed"
        try await sites.store(changed, tag: "changed", signedBy: nil)
        let genuine = try await sites.manifest(OCIMirror.signatureTag(for: good.digest)).manifest
        let armored = try await sites.client.blob(in: "lab/exchange", genuine.layers[0], maxBytes: 1 << 16)
        let changedBytes = try changed.encoded()
        try await sites.storeSignature(armored, of: OCIDescriptor.digest(of: changedBytes), size: changedBytes.count)
        try await expectRefused("changed", "does not verify over the manifest's digest", "a changed manifest")

        // A stranger's key, and a key of the consumer party: not a producer's or an admin's.
        let stranger = try #require(try await SSHTestKey.make("stranger", in: sites.signed.keys))
        var foreign = good.manifest
        foreign.annotations?["dev.giter.note"] = "stranger"
        try await sites.store(foreign, tag: "stranger", signedBy: stranger)
        try await expectRefused("stranger", "which no producer or admin holds in the policy", "a stranger's signature")
        // Even naming a commit the follower holds already: refused, not "up to date".
        var old = followed.manifest
        old.annotations?["dev.giter.note"] = "stranger"
        try await sites.store(old, tag: "old-stranger", signedBy: stranger)
        try await expectRefused("old-stranger", "which no producer or admin holds in the policy", "a stranger's old publication")
        var consumers = good.manifest
        consumers.annotations?["dev.giter.note"] = "consumer"
        try await sites.store(consumers, tag: "consumer", signedBy: sites.signed.consumer)
        try await expectRefused("consumer", "which no producer or admin holds in the policy", "the consumer's signature")
        let refusedPush = try await sites.push(key: sites.signed.consumer.privateKey, tag: "by-consumer")
        #expect(refusedPush.status == 1)
        #expect(refusedPush.stderr.contains("is not a producer's or an admin's"), "\(refusedPush.stderr)")

        // A layer that does not hold the commit's files, signed by the producer's own key.
        let client = try sites.client
        let fake = try await client.pushBlob(
            Array(repeating: 0, count: 1024), mediaType: ExchangeArtifact.resourcesMediaType,
            annotations: [ExchangeArtifact.kindAnnotation: "Experiment"], to: "lab/exchange")
        var lying = good.manifest
        lying.layers[1] = fake
        try await sites.store(lying, tag: "lying", signedBy: sites.signed.producer)
        try await expectRefused("lying", "does not hold the files of", "a layer that does not match the commit")

        // A commit the contract refuses (unsigned, where the policy requires signatures), published and signed.
        let path = try await sites.lab.experimentPath("sort-2")
        try await sites.signed.commit(author: ExchangeFixture.producer, signing: [], message: "Unsigned") { folder in
            let file = folder.appendingPathComponent(path)
            try Data((try String(contentsOf: file, encoding: .utf8) + "# edited\n").utf8).write(to: file)
        }
        let unsignedCommit = try await sites.push(tag: "contract")
        try #require(unsignedCommit.status == 0, "\(unsignedCommit.stderr)")
        try await expectRefused("contract", "breaks the exchange's contract", "a commit the contract refuses")

        // The bundle changed at rest in the registry's storage: its bytes no longer match its digest.
        let goodCommit = try #require(good.manifest.annotations?[ExchangeArtifact.commitAnnotation])
        let bundleFile = sites.registry.blobFile(digest: good.manifest.layers[2].digest)
        let genuineBundle = try Data(contentsOf: bundleFile)
        var bundle = Array(genuineBundle)
        bundle[bundle.count - 40] ^= 0x55
        try Data(bundle).write(to: bundleFile)
        try await expectRefused(goodCommit, "does not match its digest", "a bundle changed in the registry")
        try genuineBundle.write(to: bundleFile)

        let missing = try await sites.follow(tag: "nothing-here")
        #expect(missing.status == 1 && missing.stderr.contains("does not exist"), "\(missing.stderr)")

        // A kind layer changed at rest is never read: the follower rebuilds it from the commit the bundle
        // brought and compares digests, so the publication is imported as it was signed.
        let file = sites.registry.blobFile(digest: good.manifest.layers[1].digest)
        var bytes = Array(try Data(contentsOf: file))
        bytes[600] ^= 0x55
        try Data(bytes).write(to: file)
        let imported = try await sites.follow(tag: goodCommit)
        #expect(
            imported.status == 0 && imported.stdout.hasPrefix("imported 1 commit(s) from lab"),
            "\(imported.stdout)\(imported.stderr)")
        #expect(try await Self.tip(sites.field.remote) == goodCommit)
        await sites.registry.stop()
    }

    /// An older genuine publication served again after the follower moved
    /// on changes nothing; a signed manifest that omits a kind layer is
    /// refused, and one that lists a layer twice before its bundle is read.
    @Test(arguments: ToolBackend.allCases)
    func replaysAndIncompleteManifestsChangeNothing(_ backend: ToolBackend) async throws {
        guard let sites = try await Sites.make(backend) else { return }
        try await sites.applyExperiment("sort-1")
        try #require(try await sites.push().status == 0)
        let first = try await Self.tip(sites.lab.remote)
        try #require(try await sites.follow().status == 0)
        try await sites.applyExperiment("sort-2")
        try #require(try await sites.push().status == 0)
        let second = try await Self.tip(sites.lab.remote)
        try #require(try await sites.follow().status == 0)
        let before = try await Self.refs(sites.field.remote)
        #expect(try await Self.tip(sites.field.remote) == second)

        // The first publication, still under its commit's tag, served again (a rollback): nothing changes.
        let replayed = try await sites.follow(tag: first)
        #expect(
            replayed.status == 0 && replayed.stdout == "up to date at \(second.prefix(7))\n",
            "\(replayed.stdout)\(replayed.stderr)")
        #expect(try await Self.refs(sites.field.remote) == before)

        // A third commit, published genuinely; then signed manifests of it that drop or repeat its kind layer.
        try await sites.applyExperiment("sort-3")
        try #require(try await sites.push(tag: "third").status == 0)
        let third = try await sites.manifest("third").manifest
        try #require(third.layers.count == 3)
        var omitted = third
        omitted.layers.remove(at: 1)
        try await sites.store(omitted, tag: "omitted", signedBy: sites.signed.producer)
        let lacking = try await sites.follow(tag: "omitted")
        #expect(lacking.status == 1 && lacking.stderr.contains("lacks the layer of Experiment"), "\(lacking.stderr)")
        var repeated = third
        repeated.layers.insert(third.layers[1], at: 1)
        try await sites.store(repeated, tag: "repeated", signedBy: sites.signed.producer)
        let twice = try await sites.follow(tag: "repeated")
        #expect(twice.status == 1 && twice.stderr.contains("lists a layer twice"), "\(twice.stderr)")
        #expect(try await Self.refs(sites.field.remote) == before)
        await sites.registry.stop()
    }

    /// The signer of a new publication is judged by the policy at the
    /// follower's tip before the bundle is read: a stranger who writes a
    /// commit whose own policy lists the stranger's key, and signs its
    /// publication with that key, is refused with nothing stored — not the
    /// branch, not the bundle's objects in the mirror.
    @Test(arguments: ToolBackend.allCases)
    func aKeyOnlyItsOwnCommitListsIsRefusedBeforeTheBundle(_ backend: ToolBackend) async throws {
        guard let sites = try await Sites.make(backend),
            let stranger = try await SSHTestKey.make("stranger", in: sites.signed.keys)
        else { return }
        try await sites.applyExperiment("sort-1")
        try #require(try await sites.push().status == 0)
        let mirror = sites.field.directory.url.appendingPathComponent("sdk-field").path
        let transport = try await GuardTransportPushTests.transport(backend, url: sites.field.remote, mirror: mirror)
        let reference = try OCIReference(parsing: "\(sites.reference):latest")
        let follower = OCIMirror(transport: transport, registry: try sites.client, reference: reference)
        guard case .imported = try await follower.follow() else {
            Issue.record("the first follow imported nothing")
            return
        }
        let before = try await Self.refs(sites.field.remote)

        let listed = try await sites.signed.commit(
            author: ExchangeFixture.producer, signing: stranger.gitOptions, message: "List the stranger's key"
        ) { folder in
            try Data(sites.signed.policy(producerKeys: [sites.signed.producer.line, stranger.line]).utf8)
                .write(to: folder.appendingPathComponent(".giter/policy.yaml"))
        }
        // giter oci push accepts the key: the published commit's own policy lists it.
        let pushed = try await sites.push(key: stranger.privateKey, tag: "self-listed")
        try #require(pushed.status == 0, "\(pushed.stderr)")
        do {
            let selfListed = try reference.with(tag: "self-listed")
            let outcome = try await OCIMirror(transport: transport, registry: try sites.client, reference: selfListed)
                .follow()
            Issue.record("followed a publication signed by a key only its own commit lists: \(outcome)")
        } catch let error as OCIError {
            #expect(error.code == .untrustedSigner, "\(error)")
            #expect(error.message.contains("which no producer or admin holds in the policy at"), "\(error)")
            #expect(error.message.contains("this site's tip"), "\(error)")
        }
        #expect(try await Self.refs(sites.field.remote) == before)
        let stored = try await runGit(["--git-dir", mirror, "cat-file", "-e", listed])
        #expect(stored.status != 0, "the bundle's objects were not stored in the mirror")
        await sites.registry.stop()
    }
}

/// What a child process writes, awaited until it holds a text.
final class WatchedOutput: Sendable {
    private let stream: AsyncStream<[UInt8]>
    private let text = Mutex("")

    init(_ stream: AsyncStream<[UInt8]>) { self.stream = stream }

    /// The output read so far.
    var current: String { text.withLock { $0 } }

    /// Waits (60 s at most) until the output so far contains `needle`.
    func wait(for needle: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        if text.withLock({ $0.contains(needle) }) { return }
        let found = try await withDeadline(.seconds(60), sourceLocation: sourceLocation) { [self] in
            for await chunk in stream {
                let added = String(decoding: chunk, as: UTF8.self)
                if text.withLock({ $0 += added; return $0.contains(needle) }) { return true }
            }
            return false
        }
        if !found {
            Issue.record("the output ended without '\(needle)': \(text.withLock { $0 })", sourceLocation: sourceLocation)
        }
    }
}
