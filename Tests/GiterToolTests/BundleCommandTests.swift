import Foundation
import GitServerFixtures
import Giter
import Testing

/// `giter bundle export|import`: two sites whose repositories share no
/// remote exchange resources through bundle files only.
@Suite("giter bundle")
struct BundleCommandTests {
    /// Two sites: `lab` (the producer's, with the contract) and `field` (the
    /// consumer's, an empty bare repository until the first import).
    struct Sites {
        let lab: ExchangeFixture
        let field: ExchangeFixture

        static func make(_ backend: ToolBackend) async throws -> Sites {
            let lab = try await ExchangeFixture.withPolicy(backend: backend)
            let field = try await ExchangeFixture(backend: backend, initialized: false)
            try await runGitChecked(["init", "--quiet", "--bare", field.remote])
            return Sites(lab: lab, field: field)
        }

        /// Exports at `from` for `to` into the file `name` in `from`'s folder; requires success.
        func export(at from: ExchangeFixture, site: String, for receiver: String, _ name: String) async throws
            -> (file: URL, result: GiterProcess.Result)
        {
            let file = from.directory.url.appendingPathComponent(name)
            let result = try await from.giter(["bundle", "export", "--site", site, "--for", receiver, "-o", file.path])
            try #require(result.status == 0, "export failed: \(result.stderr)")
            return (file, result)
        }

        func importBundle(at site: ExchangeFixture, _ file: URL) async throws -> GiterProcess.Result {
            try await site.giter(["bundle", "import", file.path])
        }
    }

    static func refs(_ remote: String) async throws -> String {
        try await runGitChecked(["--git-dir", remote, "for-each-ref", "--format=%(objectname) %(refname)"]).stdout
    }

    static func header(_ file: URL) throws -> BundleFile {
        try BundleFile(decoding: Array(try Data(contentsOf: file)))
    }

    /// The paper's cycle, create → status → archive, with only bundle files
    /// carried between the sites, each hop holding only what the other
    /// site lacks; `git bundle verify` accepts every file.
    @Test(arguments: ToolBackend.allCases)
    func createStatusArchiveAcrossTheGap(_ backend: ToolBackend) async throws {
        let sites = try await Sites.make(backend)
        try await sites.lab.apply(ExchangeFixture.experiment("sort-1"))

        let first = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-1.bundle")
        #expect(first.result.stdout.contains("3 commit(s) (the whole branch) for field"), "\(first.result.stdout)")
        #expect(try Self.header(first.file).prerequisites.isEmpty)
        try await runGitChecked(["--git-dir", sites.field.remote, "bundle", "verify", "--quiet", first.file.path])
        let created = try await sites.importBundle(at: sites.field, first.file)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("imported 3 commit(s) from lab: (new exchange).."), "\(created.stdout)")
        let head = try await runGitChecked(["--git-dir", sites.field.remote, "symbolic-ref", "HEAD"]).trimmedStdout
        #expect(head == "refs/heads/main", "a plain git clone of the new exchange checks out its branch")

        // The field site guards its repository from now on: imports go through the guard too.
        let install = try await sites.field.directory.run(
            ["guard", "install", "--repository", sites.field.remote, "--backend", backend.rawValue])
        try #require(install.status == 0, "\(install.stderr)")

        try await sites.field.writeStatus("sort-1")
        let answer = try await sites.export(at: sites.field, site: "field", for: "lab", "field-1.bundle")
        #expect(answer.result.stdout.contains(": 1 commit(s) after"), "only the status commit: \(answer.result.stdout)")
        let labTip = try await runGitChecked(["--git-dir", sites.lab.remote, "rev-parse", "main"]).trimmedStdout
        #expect(try Self.header(answer.file).prerequisites.map(\.id.hex) == [labTip])
        try await runGitChecked(["--git-dir", sites.lab.remote, "bundle", "verify", "--quiet", answer.file.path])
        let statusIn = try await sites.importBundle(at: sites.lab, answer.file)
        #expect(statusIn.status == 0, "\(statusIn.stderr)")
        #expect(statusIn.stdout.hasPrefix("imported 1 commit(s) from field"), "\(statusIn.stdout)")
        let seen = try await sites.lab.giter(["get", "experiments", "-o", "yaml"])
        #expect(seen.stdout.contains("sha256:abc123"), "the lab site reads the field's status: \(seen.stdout)")

        let archive = try await sites.lab.giter(["archive", "Experiment/sort-1"])
        try #require(archive.status == 0, "\(archive.stderr)")
        let second = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-2.bundle")
        #expect(second.result.stdout.contains(": 1 commit(s) after"), "only the archive commit: \(second.result.stdout)")
        let archived = try await sites.importBundle(at: sites.field, second.file)
        #expect(archived.status == 0, "\(archived.stderr)")
        let live = try await sites.field.giter(["get", "experiments"])
        #expect(!live.stdout.contains("sort-1"), "\(live.stdout)")
        let kept = try await sites.field.giter(["get", "experiments", "--archived"])
        #expect(kept.stdout.contains("sort-1"), "\(kept.stdout)")

        // Both repositories hold the same branch, and each records how far the other has it.
        let fieldRefs = try await Self.refs(sites.field.remote)
        let labRefs = try await Self.refs(sites.lab.remote)
        let tip = try await runGitChecked(["--git-dir", sites.lab.remote, "rev-parse", "main"]).trimmedStdout
        #expect(fieldRefs.contains("\(tip) refs/heads/main"), "\(fieldRefs)")
        #expect(fieldRefs.contains("\(tip) refs/giter/acks/lab"), "\(fieldRefs)")
        #expect(labRefs.contains(" refs/giter/acks/field"), "\(labRefs)")
        // The field site has nothing the lab lacks; its name is remembered from its first export.
        let nothing = try await sites.field.giter(["bundle", "export", "--for", "lab", "-o", "unused.bundle"])
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("nothing to send"), "\(nothing.stderr)")
    }

    /// Every refusal leaves the importing repository's refs as they were.
    @Test(arguments: ToolBackend.allCases)
    func badBundlesChangeNothing(_ backend: ToolBackend) async throws {
        let sites = try await Sites.make(backend)
        try await sites.lab.apply(ExchangeFixture.experiment("sort-1"))
        let first = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-1.bundle")
        try #require(try await sites.importBundle(at: sites.field, first.file).status == 0)
        try await sites.field.writeStatus("sort-1")
        let answer = try await sites.export(at: sites.field, site: "field", for: "lab", "field-1.bundle")
        try #require(try await sites.importBundle(at: sites.lab, answer.file).status == 0)
        try await sites.lab.apply(ExchangeFixture.experiment("sort-2"))
        let second = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-2.bundle")
        try #require(try Self.header(second.file).prerequisites.count == 1, "a delta bundle")
        let before = try await Self.refs(sites.field.remote)

        func expectRefused(_ bytes: [UInt8], _ expected: String, _ comment: Comment) async throws {
            let file = sites.field.directory.url.appendingPathComponent("bad-\(UUID().uuidString).bundle")
            try Data(bytes).write(to: file)
            let result = try await sites.importBundle(at: sites.field, file)
            #expect(result.status == 1, comment)
            #expect(result.isOneLineError, "\(comment): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(comment): \(result.stderr)")
            #expect(try await Self.refs(sites.field.remote) == before, comment)
        }

        let bytes = Array(try Data(contentsOf: second.file))
        try await expectRefused(Array("hello\n".utf8), "not a Git bundle", "not a bundle")
        try await expectRefused(Array(bytes.prefix(40)), "truncated", "cut inside the header")
        try await expectRefused(Array(bytes.prefix(bytes.count - 30)), "damaged", "cut inside the pack")
        var flipped = bytes
        flipped[bytes.count - 40] ^= 0x55
        try await expectRefused(flipped, "damaged", "a byte of the pack changed")
        try await expectRefused(Array(try Data(contentsOf: first.file)), "imported before", "a replayed bundle")
        let replayedAtLab = try await sites.importBundle(at: sites.lab, answer.file)
        #expect(replayedAtLab.status == 1)
        #expect(replayedAtLab.stderr.contains("imported before"), "\(replayedAtLab.stderr)")

        // A third site that never had the first bundle lacks its prerequisite.
        let other = try await ExchangeFixture(backend: backend, initialized: false)
        try await runGitChecked(["init", "--quiet", "--bare", other.remote])
        let missing = try await sites.importBundle(at: other, second.file)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("import the earlier bundles from lab first"), "\(missing.stderr)")

        // The genuine bundle still imports after all of that.
        let good = try await sites.importBundle(at: sites.field, second.file)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.hasPrefix("imported 1 commit(s) from lab"), "\(good.stdout)")
    }

    /// A commit the contract refuses (a non-member's edit, pushed to the
    /// lab's unguarded repository with plain git) stops the import there.
    @Test(arguments: ToolBackend.allCases)
    func aCommitTheContractRefusesStopsTheImport(_ backend: ToolBackend) async throws {
        let sites = try await Sites.make(backend)
        try await sites.lab.apply(ExchangeFixture.experiment("sort-1"))
        let first = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-1.bundle")
        try #require(try await sites.importBundle(at: sites.field, first.file).status == 0)
        let path = try await sites.lab.experimentPath("sort-1")
        try await sites.lab.commitWithGit(author: "Mallory <mallory@elsewhere.example>", message: "bigger") { folder in
            let file = folder.appendingPathComponent(path)
            let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "size: 1000", with: "size: 9")
            try Data(text.utf8).write(to: file)
        }
        let forged = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-2.bundle")
        let before = try await Self.refs(sites.field.remote)
        let result = try await sites.importBundle(at: sites.field, forged.file)
        #expect(result.status == 1)
        #expect(result.stderr.contains("breaks the exchange's contract"), "\(result.stderr)")
        #expect(result.stderr.contains("mallory@elsewhere.example"), "\(result.stderr)")
        #expect(try await Self.refs(sites.field.remote) == before)
    }

    /// Both sites wrote since they last exchanged bundles: the field's
    /// statuses are rebased onto the lab's new specs (through the field's
    /// guard), a status for a resource the lab archived meanwhile is
    /// dropped and reported, the field's own reader follows the rebase, and
    /// the rebased commits reach the lab in the next bundle.
    @Test(arguments: ToolBackend.allCases)
    func bothSitesWroteAndTheImportRebasesThisSitesCommits(_ backend: ToolBackend) async throws {
        let sites = try await Sites.make(backend)
        try await sites.lab.apply(ExchangeFixture.experiment("sort-1"))
        try await sites.lab.apply(ExchangeFixture.experiment("sort-2"))
        let first = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-1.bundle")
        try #require(try await sites.importBundle(at: sites.field, first.file).status == 0)
        let install = try await sites.field.directory.run(
            ["guard", "install", "--repository", sites.field.remote, "--backend", backend.rawValue])
        try #require(install.status == 0, "\(install.stderr)")

        try await sites.field.writeStatus("sort-1")
        try await sites.field.writeStatus("sort-2")
        try await sites.lab.apply(ExchangeFixture.experiment("sort-1", size: 2000))
        try #require(try await sites.lab.giter(["archive", "Experiment/sort-2"]).status == 0)
        let second = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-2.bundle")

        let rebased = try await sites.importBundle(at: sites.field, second.file)
        #expect(rebased.status == 0, "\(rebased.stderr)")
        #expect(rebased.stdout.contains("rebased 2 commit(s) of this site"), "\(rebased.stdout)")
        #expect(
            rebased.lines.contains {
                $0.hasPrefix("dropped resources/default/Experiment/") && $0.contains("sort-2.yaml: lab archived or deleted it")
            }, "\(rebased.stdout)")
        let log = try await runGitChecked(["--git-dir", sites.field.remote, "log", "--format=%B", "main"]).stdout
        #expect(log.components(separatedBy: "Giter-Rebased-From: ").count == 3, "\(log)")

        // The field's consumer, whose mirror saw the commits before the rebase, follows it.
        let consumer = ExchangeIdentity(name: "Testbed", email: ExchangeFixture.consumerEmail, role: .consumer)
        let store = try await sites.field.store(consumer, mirror: "consumer-mirror")
        try await store.refresh()
        let key = ResourceKey(namespace: "default", kind: "Experiment", name: "sort-1")
        let stored = try #require(try await store.get(key))
        #expect(stored.resource.metadata.generation == 2)
        #expect(stored.resource.spec["size"]?.number?.integer(as: Int.self) == 2000, "\(stored.resource.spec)")
        #expect(stored.resource.status?["digest"]?.string == "sha256:abc123", "the status survived the rebase")

        let answer = try await sites.export(at: sites.field, site: "field", for: "lab", "field-1.bundle")
        #expect(answer.result.stdout.contains(": 2 commit(s) after"), "\(answer.result.stdout)")
        let back = try await sites.importBundle(at: sites.lab, answer.file)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(!back.stdout.contains("rebased"), "a fast-forward at the lab: \(back.stdout)")
        let seen = try await sites.lab.giter(["get", "Experiment/sort-1", "-o", "yaml"])
        #expect(seen.stdout.contains("sha256:abc123") && seen.stdout.contains("size: 2000"), "\(seen.stdout)")
    }

    /// The lab archived one resource and changed another's spec while the
    /// field wrote their status: the lab's archive, rebased, moves the live
    /// file with that status, and its new spec keeps it.
    @Test(arguments: ToolBackend.allCases)
    func theLabsWritesRebasedOntoNewStatusesKeepThem(_ backend: ToolBackend) async throws {
        let sites = try await Sites.make(backend)
        try await sites.lab.apply(ExchangeFixture.experiment("sort-1"))
        try await sites.lab.apply(ExchangeFixture.experiment("sort-2"))
        let first = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-1.bundle")
        try #require(try await sites.importBundle(at: sites.field, first.file).status == 0)
        try await sites.field.writeStatus("sort-1")
        try await sites.field.writeStatus("sort-2")
        let answer = try await sites.export(at: sites.field, site: "field", for: "lab", "field-1.bundle")
        try #require(try await sites.lab.giter(["archive", "Experiment/sort-1"]).status == 0)
        try await sites.lab.apply(ExchangeFixture.experiment("sort-2", size: 2000))

        let imported = try await sites.importBundle(at: sites.lab, answer.file)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("rebased 2 commit(s)"), "\(imported.stdout)")
        let archived = try await sites.lab.giter(["get", "experiments", "--archived", "-o", "yaml"])
        #expect(archived.stdout.contains("sha256:abc123"), "\(archived.stdout)")
        let changed = try await sites.lab.giter(["get", "Experiment/sort-2", "-o", "yaml"])
        #expect(changed.stdout.contains("size: 2000") && changed.stdout.contains("sha256:abc123"), "\(changed.stdout)")
        let verified = try await sites.lab.giter(["verify"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    /// Both sites changed `.giter/`: the import stops, changing nothing.
    @Test(arguments: ToolBackend.allCases)
    func contractEditsOnBothSidesNeedAPerson(_ backend: ToolBackend) async throws {
        let sites = try await Sites.make(backend)
        let first = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-1.bundle")
        try #require(try await sites.importBundle(at: sites.field, first.file).status == 0)
        for (site, size) in [(sites.lab, "10"), (sites.field, "20")] {
            try await site.commitWithGit(author: ExchangeFixture.admin, message: "A note in the contract") { folder in
                try Data("note: \(size)\n".utf8).write(to: folder.appendingPathComponent(".giter/notes.yaml"))
            }
        }
        let second = try await sites.export(at: sites.lab, site: "lab", for: "field", "lab-2.bundle")
        let before = try await Self.refs(sites.field.remote)
        let result = try await sites.importBundle(at: sites.field, second.file)
        #expect(result.status == 1)
        #expect(result.stderr.contains("changed .giter/notes.yaml") && result.stderr.contains("need a person"), "\(result.stderr)")
        #expect(try await Self.refs(sites.field.remote) == before)
    }

    /// With signatures required, the rebased commits are signed again with
    /// the importing site's key (`--signing-key`); without one the import
    /// fails closed, changing nothing.
    @Test(arguments: ToolBackend.allCases)
    func rebasedCommitsAreSignedAgain(_ backend: ToolBackend) async throws {
        guard let signed = try await SignedExchange.make(backend: backend) else { return }
        let lab = signed.exchange
        let field = try await ExchangeFixture(backend: backend, initialized: false)
        try await runGitChecked(["init", "--quiet", "--bare", field.remote])
        let sites = Sites(lab: lab, field: field)
        let producerKey = ["--signing-key", signed.producer.privateKey]
        try lab.write("sort-1.yaml", ExchangeFixture.experiment("sort-1"))
        try #require(try await lab.giter(["apply", "-f", "sort-1.yaml"] + producerKey).status == 0)
        let first = try await sites.export(at: lab, site: "lab", for: "field", "lab-1.bundle")
        let created = try await sites.importBundle(at: field, first.file)
        try #require(created.status == 0, "\(created.stderr)")

        try await field.writeStatus("sort-1", signer: try signed.consumer.signer())
        try lab.write("sort-1.yaml", ExchangeFixture.experiment("sort-1", size: 2000))
        try #require(try await lab.giter(["apply", "-f", "sort-1.yaml"] + producerKey).status == 0)
        let second = try await sites.export(at: lab, site: "lab", for: "field", "lab-2.bundle")

        let before = try await Self.refs(field.remote)
        let unsigned = try await sites.importBundle(at: field, second.file)
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("breaks the exchange's contract"), "\(unsigned.stderr)")
        #expect(try await Self.refs(field.remote) == before)

        let resigned = try await field.giter(["bundle", "import", second.file.path, "--signing-key", signed.consumer.privateKey])
        #expect(resigned.status == 0, "\(resigned.stderr)")
        #expect(resigned.stdout.contains("rebased 1 commit(s)"), "\(resigned.stdout)")
        let verified = try await field.giter(["verify"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let tip = try await runGitChecked(["--git-dir", field.remote, "rev-parse", "main"]).trimmedStdout
        let line = try #require(verified.lines.first { $0.hasPrefix(String(tip.prefix(12))) }, "\(verified.stdout)")
        #expect(line.hasSuffix("signed by testbed/\(ExchangeFixture.consumerEmail) (\(signed.consumer.fingerprint))"), "\(line)")
    }

    @Test func bundleHeadersRoundTripAndRefuseWhatGiterCannotRead() throws {
        let id = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        let pack = Array("PACK".utf8) + [UInt8](repeating: 0, count: 28)
        let file = BundleFile(
            prerequisites: [BundleFile.Prerequisite(id: id, comment: "status\nsecond line")],
            references: [BundleFile.Reference(id: id, name: "refs/heads/main")], pack: pack)
        let decoded = try BundleFile(decoding: file.encoded())
        #expect(decoded.prerequisites == [BundleFile.Prerequisite(id: id, comment: "status")])
        #expect(decoded.references == file.references)
        #expect(decoded.pack == pack)

        func refused(_ header: String, _ expected: String) {
            #expect(throws: BundleError.self) { try BundleFile(decoding: Array(header.utf8) + pack) }
            do {
                _ = try BundleFile(decoding: Array(header.utf8) + pack)
            } catch {
                #expect(error.code == .malformed)
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
        refused("# v3 git bundle\n@filter=blob:none\n\(id.hex) refs/heads/main\n\n", "not one Giter supports")
        refused("# v3 git bundle\n@object-format=sha256\n\(id.hex) refs/heads/main\n\n", "not one Giter supports")
        refused("# v2 git bundle\n@object-format=sha1\n\(id.hex) refs/heads/main\n\n", "version 2")
        refused("# v2 git bundle\n\(id.hex) refs/heads/main\n-\(id.hex) late\n\n", "after the bundle's refs")
        refused("# v2 git bundle\n\(id.hex)refs/heads/main\n\n", "is not '<commit id> refs/<name>'")
        refused("# v2 git bundle\n\n", "names no ref")
        refused("# v4 git bundle\n\(id.hex) refs/heads/main\n\n", "not '# v2 git bundle'")
        let long = "# v2 git bundle\n" + String(repeating: "x", count: BundleFile.maximumHeaderSize + 10)
        refused(long, "does not end within")
        #expect(throws: BundleError.self) { try BundleFile(decoding: Array("# v2 git bundle\n\(id.hex) refs/heads/main\n\nPAC".utf8)) }
        #expect(throws: BundleError.self) { try ExchangeBundle.checkSiteName("../etc") }
        #expect(throws: BundleError.self) { try ExchangeBundle.checkSiteName("") }
        #expect(throws: BundleError.self) { try ExchangeBundle.checkSiteName("a.lock") }
        try ExchangeBundle.checkSiteName("field-2.b_c")
    }
}
