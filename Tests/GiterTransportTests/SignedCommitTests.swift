import Foundation
import GitServerFixtures
import Giter
import GiterGitCLI
import GiterLibGit2
import Testing

/// Signed commits on both backends, checked against real `git` and
/// `ssh-keygen`: what Giter signs is byte for byte what `git commit-tree -S`
/// writes and passes `git verify-commit`; what git signs reads back as a
/// signature and payload `ssh-keygen -Y verify` accepts. The in-memory
/// transport takes the cases that need no git.
@Suite("Signed commits")
struct SignedCommitTests {
    static let path = "resources/default/Experiment/one.yaml"
    static let author = Signature(
        name: "Lab Bot", email: "lab@example.com", date: Date(timeIntervalSince1970: 1_763_700_000),
        timeZoneOffsetMinutes: 60)
    static let committer = Signature(
        name: "Release Desk", email: "desk@example.com", date: Date(timeIntervalSince1970: 1_763_700_123),
        timeZoneOffsetMinutes: -510)
    /// Shaped like `gpg -bsa` output, with the empty line after the armor header.
    static let pgpShaped = "-----BEGIN PGP SIGNATURE-----\n\niHUEABYKAB0WIQTz\n=Ab12\n-----END PGP SIGNATURE-----\n"

    static func request(parent: ObjectID?) -> CommitRequest {
        CommitRequest(
            parent: parent, edits: [.write(path: path, contents: fileContents("spec:\n  size: 1\n"))], author: author,
            committer: committer, message: "Apply one", trailers: [Trailer("Giter-Role", "producer")])
    }

    /// Git's view of a transport's mirror.
    static func mirror(of transport: any Transport) -> BareRepository {
        BareRepository(url: URL(fileURLWithPath: transport.configuration.mirrorPath))
    }

    /// The id `git commit-tree` gives `request` on `tree` in `repository`,
    /// signed with `key` (`-S`, `gpg.format=ssh`) when one is given.
    static func gitCommitTree(
        _ tree: String, _ request: CommitRequest, key: SigningKeyFixture?, in repository: BareRepository
    ) async throws -> String {
        let message = try TemporaryDirectory(prefix: "giter-message")
        let file = message.appending("message")
        try Data(request.fullMessage.utf8).write(to: file)
        var environment = repository.environment
            .setting("GIT_AUTHOR_NAME", author.name).setting("GIT_AUTHOR_EMAIL", author.email)
            .setting("GIT_AUTHOR_DATE", "@1763700000 +0100")
            .setting("GIT_COMMITTER_NAME", committer.name).setting("GIT_COMMITTER_EMAIL", committer.email)
            .setting("GIT_COMMITTER_DATE", "@1763700123 -0830")
        var arguments = ["commit-tree", tree, "-F", file.path]
        if let parent = request.parent { arguments += ["-p", parent.hex] }
        if let key {
            environment = environment.addingConfig("gpg.format", "ssh").addingConfig("user.signingkey", key.privateKey)
            arguments.append("-S")
        }
        return try await runGitChecked(arguments, in: repository.url, environment: environment).trimmedStdout
    }

    @Test(arguments: Backend.allCases)
    func aSignedCommitIsByteForByteWhatGitCommitTreeSWrites(backend: Backend) async throws {
        guard let key = try await SigningKeyFixture.make() else { return }
        try await withRemote(.localPath, seeded: true) { context in
            let transport = try await context.open(backend, mirror: "signer")
            let tip = try #require(try await transport.fetch())
            let request = Self.request(parent: tip)
            let unsigned = try await transport.createCommit(request)
            let signed = try await transport.createCommit(request, signer: key.signer)
            #expect(signed != unsigned)

            // ed25519 signatures are deterministic: the same key over the same
            // bytes gives the same signature, so git's commit has the same id.
            let mirror = Self.mirror(of: transport)
            let tree = try await mirror.git(["rev-parse", signed.hex + "^{tree}"]).trimmedStdout
            #expect(try await Self.gitCommitTree(tree, request, key: nil, in: mirror) == unsigned.hex)
            #expect(try await Self.gitCommitTree(tree, request, key: key, in: mirror) == signed.hex)
        }
    }

    @Test(arguments: Backend.allCases)
    func gitVerifiesWhatGiterSignsAndEveryReaderReadsItAsStored(backend: Backend) async throws {
        guard let key = try await SigningKeyFixture.make() else { return }
        try await withRemote(.localPath, seeded: true) { context in
            let transport = try await context.open(backend, mirror: "signer")
            let tip = try #require(try await transport.fetch())
            let signed = try await transport.createCommit(Self.request(parent: tip), signer: key.signer)
            #expect(try await transport.push(signed, expecting: tip) == .pushed(signed))

            let repository = context.repository
            let verify = try await runGit(
                ["verify-commit", signed.hex], in: repository.url,
                environment: repository.environment.addingConfig("gpg.ssh.allowedSignersFile", key.allowedSigners))
            #expect(verify.succeeded, "\(verify)")
            #expect(verify.stderr.contains("Good \"git\" signature for lab@example.com"), "\(verify)")
            try await repository.git(["fsck", "--strict"])

            // The writer, the other backend and both hook readers return what git stores.
            let stored = try await repository.git(["cat-file", "commit", signed.hex]).stdout
            let other = try await context.open(backend.other, mirror: "reader")
            #expect(try await other.fetch() == signed)
            let readers: [any RepositoryReader] = [
                transport, other, try LibGit2Repository(path: repository.path, environment: [:]),
                try await GitCLIRepository(path: repository.path, environment: [:]),
            ]
            for reader in readers {
                let object = try await reader.commitObject(signed)
                #expect(String(decoding: object.bytes, as: UTF8.self) == stored, "\(type(of: reader))")
                #expect(object.signatureFormat == .ssh, "\(type(of: reader))")
            }
            let object = try await transport.commitObject(signed)
            let verified = try await key.verify(signature: try #require(object.signature), payload: object.signedPayload)
            #expect(verified.succeeded, "\(verified)")
        }
    }

    @Test(arguments: Backend.allCases)
    func aCommitSignedWithGitReadsBackAsASignatureAndPayloadSSHKeygenVerifies(backend: Backend) async throws {
        guard let key = try await SigningKeyFixture.make() else { return }
        try await withRemote(.localPath) { context in
            // A person taking part with plain git: a clone, `git commit -S`, a push.
            let work = context.scratch.appendingPathComponent("work")
            let environment = GitEnvironment(name: "Lab Person", email: key.email)
                .addingConfig("gpg.format", "ssh").addingConfig("user.signingkey", key.privateKey)
            try await runGitChecked(["init", "--quiet", "-b", "main", work.path], environment: environment)
            try Data("spec:\n  size: 3\n".utf8).write(to: work.appendingPathComponent("one.yaml"))
            try await runGitChecked(["add", "one.yaml"], in: work, environment: environment)
            try await runGitChecked(["commit", "--quiet", "-S", "-m", "Signed by hand"], in: work, environment: environment)
            try await runGitChecked(
                ["push", "--quiet", context.repository.path, "HEAD:refs/heads/main"], in: work, environment: environment)

            let transport = try await context.open(backend, mirror: "reader")
            let tip = try #require(try await transport.fetch())
            let object = try await transport.commitObject(tip)
            let signature = try #require(object.signature)
            #expect(object.signatureFormat == .ssh)
            #expect(signature.hasPrefix("-----BEGIN SSH SIGNATURE-----\n"))
            #expect(signature.hasSuffix("\n-----END SSH SIGNATURE-----\n"))
            #expect(object.signedPayload.count < object.bytes.count)
            #expect(CommitObject.signing(object.signedPayload, with: signature) == object.bytes)

            let good = try await key.verify(signature: signature, payload: object.signedPayload)
            #expect(good.succeeded, "\(good)")
            var tampered = object.signedPayload
            tampered[tampered.count - 2] ^= 0x01  // a letter of the message
            let bad = try await key.verify(signature: signature, payload: tampered)
            #expect(!bad.succeeded, "a changed payload must not verify: \(bad)")
        }
    }

    @Test(arguments: TransportSubject.local)
    func anUnsignedCommitIsItsOwnPayload(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let transport = try await context.open(mirror: "writer")
            let tip = try #require(try await transport.fetch())
            let request = Self.request(parent: tip)
            let commit = try await transport.createCommit(request)
            let object = try await transport.commitObject(commit)
            #expect(object.signature == nil)
            #expect(object.signatureFormat == nil)
            #expect(object.signedPayload == object.bytes)
            // The text is CommitObject.encode's, on whatever tree the backend wrote.
            let treeLine = object.bytes.prefix { $0 != 0x0A }
            let tree = try #require(ObjectID(hex: String(decoding: treeLine.dropFirst(5), as: UTF8.self)))
            let encoded = CommitObject.encode(
                tree: tree, parents: [tip], author: Self.author, committer: Self.committer, message: request.fullMessage)
            #expect(object.bytes == encoded)
            if let git = context.git {
                #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
                let stored = try await git.repository.git(["cat-file", "commit", commit.hex]).stdout
                #expect(String(decoding: object.bytes, as: UTF8.self) == stored)
            }

            // Not a commit, or no object at all.
            let blob = try #require(try await transport.treeEntries(at: commit, under: nil).first).id
            #expect(await transportError { _ = try await transport.commitObject(blob) }?.code == .invalidArgument)
            let missing = try #require(ObjectID(hex: "0123456789abcdef0123456789abcdef01234567"))
            #expect(await transportError { _ = try await transport.commitObject(missing) }?.code == .objectNotFound)
        }
    }

    @Test(arguments: TransportSubject.local)
    func aMultiLineSignatureWithAnEmptyLineRoundTrips(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let writer = try await context.open(mirror: "writer")
            let tip = try #require(try await writer.fetch())
            let signer = FixedSigner(Self.pgpShaped)
            let signed = try await writer.createCommit(Self.request(parent: tip), signer: signer)
            let unsigned = try await writer.commitObject(try await writer.createCommit(Self.request(parent: tip)))
            #expect(try await writer.push(signed, expecting: tip) == .pushed(signed))

            let reader = try await context.openReader(mirror: "reader")
            #expect(try await reader.fetch() == signed)
            let object = try await reader.commitObject(signed)
            #expect(object.signature == Self.pgpShaped)
            #expect(object.signatureFormat == .openPGP)
            // The signer was given exactly what a verifier checks: the unsigned
            // commit (over Git the very bytes of the unsigned twin; in memory,
            // where each commit has a tree id of its own, the same but for it).
            #expect(signer.signed == [object.signedPayload])
            if context.git != nil {
                #expect(object.signedPayload == unsigned.bytes)
            } else {
                #expect(object.signedPayload.drop { $0 != 0x0A } == unsigned.bytes.drop { $0 != 0x0A })
            }
            let text = String(decoding: object.bytes, as: UTF8.self)
            #expect(text.contains("\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iHUEABYKAB0WIQTz\n =Ab12\n"))
            #expect(text.contains(" -----END PGP SIGNATURE-----\n\nApply one\n"))
            if let git = context.git {
                let stored = try await git.repository.git(["cat-file", "commit", signed.hex]).stdout
                #expect(stored == text)
                let shown = try await git.repository.git(["log", "-1", "--format=%an%n%cn%n%s", signed.hex]).stdout
                #expect(shown == "Lab Bot\nRelease Desk\nApply one\n")
            }
            try await context.expectSound()
        }
    }

    @Test(arguments: TransportSubject.local)
    func aSignerThatFailsWritesNoCommitAndItsErrorPropagates(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let transport = try await context.open(mirror: "writer")
            let tip = try #require(try await transport.fetch())
            let request = Self.request(parent: tip)
            let local = try await transport.resolve(transport.configuration.localReference)
            await #expect(throws: FailingSigner.Refusal(reason: "the token was unplugged")) {
                try await transport.createCommit(request, signer: FailingSigner())
            }
            for empty in ["", "\n", " \n \n"] {
                let error = await #expect(throws: SigningError.self) {
                    try await transport.createCommit(request, signer: FixedSigner(empty))
                }
                #expect(error?.code == .invalidSignature)
            }
            // No ref moved, and over Git no commit object was written.
            #expect(try await transport.resolve(transport.configuration.trackingReference) == tip)
            #expect(try await transport.resolve(transport.configuration.localReference) == local)
            #expect(try await context.branchTip() == tip)
            if context.git != nil {
                let objects = try await Self.mirror(of: transport).git(
                    ["cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname)"]
                ).stdout
                #expect(objects.split(separator: "\n").filter { $0.hasPrefix("commit ") }.map { String($0.dropFirst(7)) } == [tip.hex])
            }
            // The transport still writes commits.
            let commit = try await transport.createCommit(request, signer: FixedSigner(Self.pgpShaped))
            #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
        }
    }
}
