import Foundation
import GitServerFixtures
import Giter
import Logging
import Testing

/// A reader scoped to some namespaces on a partial mirror (issue 15, part
/// 5): it sees its scope, downloads only the files of its scope (the git
/// backend; libgit2 has no partial clone and downloads everything), and
/// refuses a bad commit in its scope. Over `git daemon`, whose repositories
/// allow filters (`BareRepository.create`).
@Suite("A scoped reader on a partial mirror", .serialized)
struct PartialFetchTests {
    /// The producer writes 12 jobs in `lab` and 12 in `far`, in separate
    /// commits; a consumer scoped to `lab` lists the 12 of `lab`, refuses
    /// to read or write one of `far`, and its mirror holds the blobs of
    /// `lab` only (git backend) — fetched in one request after the first
    /// fetch brought no blob at all.
    @Test(arguments: Backend.allCases)
    func aScopedReaderSeesAndDownloadsOnlyItsScope(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = try await lab.store(producerIdentity(0), mirror: "producer")
            let near = (0..<12).map { scopedJob("near\($0)", namespace: "lab") }
            let far = (0..<12).map { scopedJob("far\($0)", namespace: "far") }
            _ = try await producer.write(near.map { .apply($0) })
            _ = try await producer.write(far.map { .apply($0) })

            let (consumer, mirror) = try await lab.scopedStore(consumerIdentity(0), mirror: "scoped", namespaces: ["lab"])
            try await consumer.refresh()
            let listed = try await consumer.list(.all)
            #expect(listed.map(\.key.name).sorted() == near.map(\.metadata.name).sorted())
            #expect(listed.allSatisfy { $0.resource.spec.payload == "payload of \($0.key.name)" })
            await #expect(throws: StoreError.self) { try await consumer.get(far[0].key) }
            do {
                _ = try await consumer.get(far[0].key)
            } catch let error as StoreError {
                #expect(error.code == .outOfScope)
            }
            #expect(lab.events.violations.isEmpty)

            // The scoped consumer writes a status from its partial mirror; a reader of everything sees it.
            var status = JobStatus()
            status.digest = "seen"
            #expect(try await consumer.write(.status(listed[0].key, status, specDigest: listed[0].specDigest)) == .statusWritten)
            await #expect(throws: StoreError.self) {
                try await consumer.write(.status(far[0].key, status, specDigest: listed[0].specDigest))
            }
            try await producer.refresh()
            #expect(try await producer.get(listed[0].key)?.resource.status?.digest == "seen")
            #expect(lab.events.violations.isEmpty)

            let tip = try #require(await producer.revision().flatMap { ObjectID(hex: $0.rawValue) })
            let nearBlobs = try await blobIDs(of: near.map(\.key), at: tip, in: mirror)
            let farBlobs = try await blobIDs(of: far.map(\.key), at: tip, in: mirror)
            let present = try await blobsPresent(in: mirror)
            #expect(nearBlobs.isSubset(of: present))
            switch backend {
            case .gitCLI:
                // Of the exchange's files, only the scope's came down (no contract files in an open
                // exchange); the mirror's other blobs are the store's own local values (check point, read index).
                let exchange = try await treeBlobs(at: tip, in: lab.repository)
                #expect(exchange.count == near.count + far.count)
                #expect(present.isDisjoint(with: farBlobs))
                #expect(present.intersection(exchange) == nearBlobs)
                #expect(try await promisorPacks(in: mirror) >= 2)
                // The mirror's own configuration names no promisor remote: its reads never fetch by themselves.
                let config = try String(contentsOf: mirror.url.appendingPathComponent("config"), encoding: .utf8)
                #expect(!config.contains("promisor") && !config.contains("partialclone"))
            case .libgit2:
                // libgit2 has no partial clone: it downloads everything (Documentation/PartialFetch.md).
                #expect(farBlobs.isSubset(of: present))
            }
        }
    }

    /// The blobs a scoped list reads are downloaded in one request: one
    /// `git fetch` for 12 missing files, and none when they are there.
    @Test func theMissingBlobsOfAListComeInOneRequest() async throws {
        try await withLab(.gitCLI) { lab in
            let producer = try await lab.store(producerIdentity(0), mirror: "producer")
            let near = (0..<12).map { scopedJob("near\($0)", namespace: "lab") }
            _ = try await producer.write(near.map { .apply($0) })
            let configuration = lab.partialConfiguration(mirror: "counted")
            let transport = try await Backend.gitCLI.open(configuration)
            let tip = try #require(try await transport.fetch())
            let mirror = BareRepository(url: URL(fileURLWithPath: configuration.mirrorPath))
            #expect(try await blobsPresent(in: mirror).isEmpty)
            let ids = try await transport.treeEntries(at: tip, under: "resources").map(\.id)
            #expect(ids.count == 12)
            let before = try await fetchRequests(in: mirror)
            #expect(try await transport.fetchMissingBlobs(ids) == 12)
            #expect(try await fetchRequests(in: mirror) == before + 1)
            #expect(try await blobsPresent(in: mirror) == Set(ids))
            #expect(try await transport.fetchMissingBlobs(ids) == 0)
            #expect(try await fetchRequests(in: mirror) == before + 1)
            // A read of one blob the mirror lacks still works: it downloads that one.
            let other = try await producer.write([.apply(scopedJob("late", namespace: "lab"))])
            let late = try #require(other.revision.flatMap { ObjectID(hex: $0.rawValue) })
            #expect(try await transport.fetch() == late)
            let lateEntry = try #require(
                try await transport.treeEntries(at: late, under: "resources").first { $0.path.hasSuffix("/late.yaml") })
            #expect(String(decoding: try await transport.blob(lateEntry.id), as: UTF8.self).contains("payload of late"))
        }
    }

    /// A consumer's identity rewrites a spec in `lab` (its scope) and one in
    /// `far`: the scoped reader refuses the first and keeps the spec in
    /// force; it cannot judge the second (it never reads `far`), which a
    /// reader of everything — `giter verify`, the guard — refuses.
    @Test(arguments: Backend.allCases)
    func aScopedReaderRefusesABadCommitInItsScope(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = try await lab.store(producerIdentity(0), mirror: "producer")
            let near = scopedJob("near", namespace: "lab")
            let far = scopedJob("far", namespace: "far")
            _ = try await producer.write([.apply(near)])
            _ = try await producer.write([.apply(far)])
            let (consumer, _) = try await lab.scopedStore(consumerIdentity(0), mirror: "scoped", namespaces: ["lab"])
            try await consumer.refresh()

            let forger = try await lab.backend.open(
                RemoteConfiguration(url: lab.url, mirrorPath: lab.scratch.appendingPathComponent("mirror-forger").path))
            var commits: [ObjectID] = []
            for key in [near.key, far.key] {
                let tip = try #require(try await forger.fetch())
                let entry = try #require(try await forger.treeEntries(at: tip, under: nil).first { $0.path == key.repositoryPath })
                let text = String(decoding: try await forger.blob(entry.id), as: UTF8.self)
                let forged = text.replacingOccurrences(of: "payload of \(key.name)", with: "forged")
                #expect(forged != text)
                let identity = consumerIdentity(0)
                let signature = Signature(name: identity.name, email: identity.email)
                let commit = try await forger.createCommit(
                    CommitRequest(
                        parent: tip, edits: [.write(path: key.repositoryPath, contents: Array(forged.utf8))],
                        author: signature, committer: signature, message: "a spec of my own"))
                #expect(try await forger.push(commit, expecting: tip) == .pushed(commit))
                commits.append(commit)
            }

            try await consumer.refresh()
            #expect(try await consumer.get(near.key)?.resource.spec.payload == "payload of near")
            let seen = lab.events.violations
            #expect(seen.count == 1)
            #expect(seen.first?.commit == commits[0])
            #expect(seen.first?.path == near.key.repositoryPath)
            #expect(seen.first?.rule == .role)

            // A reader of everything refuses both.
            let full = try await lab.store(producerIdentity(1), mirror: "full")
            try await full.refresh()
            let all = lab.events.violations.dropFirst(seen.count)
            #expect(Set(all.map(\.commit)) == Set(commits))
        }
    }
}

extension PartialFetchTests {
    /// A scoped store's check point does not vouch for what it did not
    /// read: a store of everything on the same mirror checks the history
    /// again and finds the forged spec outside the scope.
    @Test(arguments: Backend.allCases)
    func aWiderStoreDoesNotTrustANarrowerOnesCheckPoint(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = try await lab.store(producerIdentity(0), mirror: "producer")
            let far = scopedJob("far", namespace: "far")
            _ = try await producer.write([.apply(scopedJob("near", namespace: "lab")), .apply(far)])
            let forger = try await lab.backend.open(
                RemoteConfiguration(url: lab.url, mirrorPath: lab.scratch.appendingPathComponent("mirror-forger").path))
            let tip = try #require(try await forger.fetch())
            let identity = consumerIdentity(0)
            let signature = Signature(name: identity.name, email: identity.email)
            let forged = try await forger.createCommit(
                CommitRequest(
                    parent: tip, edits: [.write(path: far.key.repositoryPath, contents: Array("forged".utf8))],
                    author: signature, committer: signature, message: "a spec of my own"))
            #expect(try await forger.push(forged, expecting: tip) == .pushed(forged))

            let (scoped, _) = try await lab.scopedStore(identity, mirror: "shared", namespaces: ["lab"], partial: false)
            try await scoped.refresh()
            #expect(lab.events.violations.isEmpty)
            let full = try await lab.store(producerIdentity(1), mirror: "shared")
            try await full.refresh()
            #expect(lab.events.violations.map(\.commit) == [forged])
        }
    }
}

/// Issue 15, part 5, review: a scoped reader judges `.giter/` and a commit
/// that touches its scope as a reader of everything does, on both backends.
extension PartialFetchTests {
    /// The policy of a closed exchange: `lab` and `far` for the producers
    /// and consumers of the lab, an owner for `.giter/`.
    static let policy = """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata:
          name: exchange
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: ["lab", "far"]
            kinds: ["Job"]
            members:
            - email: producer0@lab.example
            - email: producer1@lab.example
          - name: runners
            role: consumer
            namespaces: ["lab", "far"]
            kinds: ["Job"]
            members:
            - email: consumer0@lab.example
          - name: owners
            role: admin
            members:
            - email: owner@lab.example
          unknownKinds: allow

        """

    /// Commits `edits` (path → the file's new text from its text at the
    /// tip, `""` for a new file) as `email`, past every writer's check;
    /// readers check it.
    @discardableResult
    func forge(_ lab: Lab, as email: String, _ edits: [String: (String) -> String]) async throws -> ObjectID {
        let forger = try await lab.backend.open(
            RemoteConfiguration(url: lab.url, mirrorPath: lab.scratch.appendingPathComponent("mirror-forger").path))
        let tip = try await forger.fetch()
        var writes: [PathEdit] = []
        for (path, edit) in edits.sorted(by: { $0.key < $1.key }) {
            var text = ""
            if let tip, let entry = try await forger.treeEntries(at: tip, under: nil).first(where: { $0.path == path })
            {
                text = String(decoding: try await forger.blob(entry.id), as: UTF8.self)
            }
            let edited = edit(text)
            #expect(edited != text, "\(path) is changed")
            writes.append(.write(path: path, contents: Array(edited.utf8)))
        }
        let signature = Signature(name: "By hand", email: email)
        let commit = try await forger.createCommit(
            CommitRequest(parent: tip, edits: writes, author: signature, committer: signature, message: "by hand"))
        #expect(try await forger.push(commit, expecting: tip) == .pushed(commit))
        return commit
    }

    /// A consumer rewrites the policy to make itself a producer: a reader
    /// scoped to `lab` judges the commit (`.giter/` is in every scope),
    /// refuses it, and keeps the policy in force — so the spec the consumer
    /// then rewrites in `lab` is refused too; a reader of everything says
    /// the same of both commits.
    @Test(arguments: Backend.allCases)
    func aScopedReaderRefusesAConsumerEditingThePolicy(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await forge(lab, as: "owner@lab.example", [ExchangePolicy.path: { _ in Self.policy }])
            let producer = try await lab.store(producerIdentity(0), mirror: "producer")
            let near = scopedJob("near", namespace: "lab")
            _ = try await producer.write([.apply(near), .apply(scopedJob("far", namespace: "far"))])
            let (consumer, _) = try await lab.scopedStore(consumerIdentity(0), mirror: "scoped", namespaces: ["lab"])
            try await consumer.refresh()
            #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")

            let promoted = try await forge(
                lab, as: consumerIdentity(0).email,
                [
                    ExchangePolicy.path: { policy in
                        policy.replacingOccurrences(of: "    - email: consumer0@lab.example\n", with: "")
                            .replacingOccurrences(
                                of: "    - email: producer1@lab.example\n",
                                with: "    - email: producer1@lab.example\n    - email: consumer0@lab.example\n")
                    }
                ])
            let respec = try await forge(
                lab, as: consumerIdentity(0).email,
                [near.key.repositoryPath: { $0.replacingOccurrences(of: "payload of near", with: "forged") }])
            try await consumer.refresh()
            let seen = lab.events.violations
            #expect(seen.map(\.commit) == [promoted, respec], "\(seen)")
            #expect(seen.first?.path == ExchangePolicy.path)
            #expect(seen.first?.rule == .role)
            #expect(seen.first?.message.contains("only an admin party writes .giter/") == true, "\(seen)")
            #expect(seen.last?.path == near.key.repositoryPath)
            #expect(seen.last?.rule == .role, "the consumer is still a consumer: \(seen)")
            #expect(try await consumer.get(near.key)?.resource.spec.payload == "payload of near")

            let full = try await lab.store(producerIdentity(1), mirror: "full")
            try await full.refresh()
            let all = lab.events.violations.dropFirst(seen.count)
            #expect(all.map(\.commit) == [promoted, respec], "a reader of everything says the same: \(all)")
            #expect(all.map(\.rule) == seen.map(\.rule))
        }
    }

    /// One commit of the producer changes a spec in `lab` (allowed) and
    /// writes a status in `far` (never the producer's part): a reader
    /// scoped to `lab` judges it whole — the file of `far` downloaded for
    /// it — and refuses all of it, the change in its scope included, as a
    /// reader of everything does.
    @Test(arguments: Backend.allCases)
    func aCommitWithAGoodChangeInTheScopeAndABadOneOutsideIsRefusedWhole(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = try await lab.store(producerIdentity(0), mirror: "producer")
            let near = scopedJob("near", namespace: "lab")
            let far = scopedJob("far", namespace: "far")
            _ = try await producer.write([.apply(near), .apply(far)])
            let (consumer, mirror) = try await lab.scopedStore(
                consumerIdentity(0), mirror: "scoped", namespaces: ["lab"])
            try await consumer.refresh()

            let mixed = try await forge(
                lab, as: producerIdentity(0).email,
                [
                    near.key.repositoryPath: {
                        $0.replacingOccurrences(of: "payload of near", with: "changed by the producer")
                    },
                    far.key.repositoryPath: { $0 + "status:\n  digest: written by the producer\n" },
                ])
            try await consumer.refresh()
            let seen = lab.events.violations
            #expect(seen.map(\.commit) == [mixed], "\(seen)")
            #expect(seen.map(\.path) == [far.key.repositoryPath], "the bad change is outside the scope: \(seen)")
            #expect(seen.first?.rule == .role)
            #expect(
                try await consumer.get(near.key)?.resource.spec.payload == "payload of near",
                "nothing of a refused commit is in force, the change in the scope included")
            if backend == .gitCLI {
                let farBlob = try await blobIDs(of: [far.key], at: mixed, in: lab.repository)
                #expect(farBlob.isSubset(of: try await blobsPresent(in: mirror)), "downloaded to judge the commit")
            }

            let full = try await lab.store(producerIdentity(1), mirror: "full")
            try await full.refresh()
            let all = lab.events.violations.dropFirst(seen.count)
            #expect(all.map(\.commit) == [mixed])
            #expect(all.map(\.path) == seen.map(\.path))
            #expect(try await full.get(near.key)?.resource.spec.payload == "payload of near")
        }
    }
}

/// A job in `namespace` whose payload names it.
func scopedJob(_ name: String, namespace: String) -> Job {
    Job(
        apiVersion: jobType.apiVersion, kind: jobType.kind, metadata: ObjectMeta(name: name, namespace: namespace),
        spec: JobSpec(payload: "payload of \(name)", round: 1))
}

extension Lab {
    func partialConfiguration(mirror: String) -> RemoteConfiguration {
        RemoteConfiguration(
            url: url, branch: "main", mirrorPath: scratch.appendingPathComponent("mirror-\(mirror)").path,
            blobFetch: .onDemand)
    }

    /// A store of jobs in `namespaces` on a partial mirror (or a full one), and the mirror.
    func scopedStore(_ identity: ExchangeIdentity, mirror: String, namespaces: Set<String>, partial: Bool = true)
        async throws -> (GitResourceStore<Job>, BareRepository)
    {
        var configuration = partialConfiguration(mirror: mirror)
        if !partial { configuration.blobFetch = .everything }
        let transport = try await backend.open(configuration)
        let events = self.events
        var logger = Logger(label: "giter.test.\(mirror)")
        logger.logLevel = .error
        var options = StoreOptions(
            identity: identity, roles: labRoles, logger: logger, eventHandler: { events.append($0) })
        options.scope = .only(namespaces: namespaces, kinds: [jobType.kind])
        let store = GitResourceStore<Job>(transport: transport, resourceType: jobType, options: options)
        return (store, BareRepository(url: URL(fileURLWithPath: configuration.mirrorPath)))
    }
}

/// The blob ids of `keys`' files at `commit` in `repository`.
func blobIDs(of keys: [ResourceKey], at commit: ObjectID, in repository: BareRepository) async throws -> Set<ObjectID> {
    var ids: Set<ObjectID> = []
    for key in keys {
        let output = try await repository.git(["rev-parse", "--verify", "\(commit.hex):\(key.repositoryPath)"])
        ids.insert(try #require(ObjectID(hex: output.trimmedStdout)))
    }
    return ids
}

/// The blobs `repository` holds (packed or loose; a partial mirror's missing ones are not listed).
func blobsPresent(in repository: BareRepository) async throws -> Set<ObjectID> {
    let output = try await repository.git(["cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname)"])
    var ids: Set<ObjectID> = []
    for line in output.stdout.split(separator: "\n") where line.hasPrefix("blob ") {
        if let id = ObjectID(hex: String(line.dropFirst(5))) { ids.insert(id) }
    }
    return ids
}

/// Every blob of `commit`'s tree in `repository`.
func treeBlobs(at commit: ObjectID, in repository: BareRepository) async throws -> Set<ObjectID> {
    let output = try await repository.git(["ls-tree", "-r", "--format=%(objectname)", commit.hex])
    return Set(output.stdout.split(separator: "\n").compactMap { ObjectID(hex: String($0)) })
}

/// The packs `git fetch` stored from a promisor remote (`*.promisor` files).
func promisorPacks(in repository: BareRepository) async throws -> Int {
    let folder = repository.url.appendingPathComponent("objects/pack")
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".promisor") }.count
}

/// How many fetches stored a pack from the promisor remote: each `git fetch` writes one.
func fetchRequests(in repository: BareRepository) async throws -> Int {
    try await promisorPacks(in: repository)
}
