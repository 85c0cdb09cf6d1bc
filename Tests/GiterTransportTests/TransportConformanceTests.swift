import Foundation
import GitServerFixtures
import Giter
import Testing

/// One suite for every `Transport` backend, run against every kind of remote:
/// a local bare path, `file://`, `git daemon`, smart HTTP behind lighttpd with
/// basic auth, and `sshd` with key authentication and git-shell. The servers
/// are real and run on loopback ports for the length of a test. Every case
/// also runs over `GiterTesting`'s in-memory transport, which host apps'
/// tests use in place of Git (see ``TransportSubject``).
@Suite("Transport conformance", .serialized)
struct TransportConformanceTests {
    static let one = "resources/default/Experiment/one.yaml"
    static let two = "resources/lab/Experiment/two.yaml"
    static let three = "resources/default/Experiment/three.yaml"

    @Test(arguments: TransportSubject.all)
    func exchangeRoundTrip(subject: TransportSubject) async throws {
        try await withSubject(subject) { context in
            let producer = try await context.open(mirror: "producer")
            #expect(try await producer.remoteTip() == nil)
            #expect(try await producer.fetch() == nil)

            let request = CommitRequest(
                parent: nil,
                edits: [
                    .write(path: Self.one, contents: fileContents("spec:\n  size: 1\n")),
                    .write(path: Self.two, contents: fileContents("spec:\n  size: 2\n")),
                ],
                author: testAuthor,
                message: "Apply two experiments",
                trailers: [Trailer("Giter-Role", "producer"), Trailer("Giter-Resource", "default/Experiment/one")]
            )
            let first = try await producer.createCommit(request)
            let local = producer.configuration.localReference
            #expect(try await producer.updateReference(local, to: first, expecting: nil))
            #expect(try await producer.updateReference(local, to: first, expecting: nil) == false)
            #expect(try await producer.push(first, expecting: nil) == .pushed(first))
            #expect(try await producer.remoteTip() == first)
            #expect(try await context.branchTip() == first)

            // The other backend reads it back from a mirror of its own.
            let consumer = try await context.openReader(mirror: "consumer")
            #expect(try await consumer.fetch() == first)
            let written = try await producer.treeEntries(at: first, under: nil)
            let read = try await consumer.treeEntries(at: first, under: nil)
            #expect(written == read)
            #expect(read.map(\.path) == [Self.one, Self.two])
            #expect(read.allSatisfy { $0.mode == .regular })
            #expect(try await consumer.blob(read[1].id) == fileContents("spec:\n  size: 2\n"))
            #expect(try await consumer.treeEntries(at: first, under: "resources/lab").map(\.path) == [Self.two])
            #expect(try await consumer.treeEntries(at: first, under: "resources/la").isEmpty)

            // Git itself reads the commit as written.
            if let git = context.git {
                let raw = try await git.repository.git(["cat-file", "-p", first.hex]).stdout
                #expect(raw.contains("\nauthor Producer Bot <producer@example.com> 1763700000 +0100\n"))
                #expect(raw.contains("\ncommitter Producer Bot <producer@example.com> 1763700000 +0100\n"))
                #expect(raw.hasSuffix("\nApply two experiments\n\nGiter-Role: producer\nGiter-Resource: default/Experiment/one\n"))
            }
            let info = try #require(try await consumer.commits(from: first, excluding: nil, limit: nil).first)
            #expect(info.id == first && info.parents.isEmpty)
            #expect(info.message == "Apply two experiments\n\nGiter-Role: producer\nGiter-Resource: default/Experiment/one\n")
            #expect(info.author == testAuthor && info.committer == testAuthor)

            // A second commit by the consumer: modify, add, delete.
            let second = try await consumer.createCommit(
                CommitRequest(
                    parent: first,
                    edits: [
                        .write(path: Self.one, contents: fileContents("spec:\n  size: 10\n")),
                        .write(path: Self.three, contents: fileContents("spec: {}\n")),
                        .delete(path: Self.two),
                        .delete(path: "resources/never/was.yaml"),
                    ],
                    author: testAuthor,
                    message: "Update"
                )
            )
            #expect(try await consumer.push(second, expecting: first) == .pushed(second))
            #expect(try await producer.fetch() == second)
            let changes = try await producer.changes(from: first, to: second, under: nil)
            #expect(changes.map(\.path) == [Self.one, Self.three, Self.two])
            #expect(changes.map(\.kind) == [.modified, .added, .deleted])
            #expect(changes[0].oldID == read[0].id)
            #expect(changes[2].newID == nil && changes[1].oldID == nil)
            #expect(try await producer.changes(from: first, to: second, under: "resources/lab").map(\.path) == [Self.two])
            #expect(try await producer.changes(from: nil, to: first, under: nil).map(\.kind) == [.added, .added])
            // The empty folder resources/lab is gone.
            #expect(try await producer.treeEntries(at: second, under: "resources/lab").isEmpty)

            let history = try await producer.history(of: Self.one, from: second, limit: nil)
            #expect(history.map(\.id) == [second, first])
            #expect(history.last?.trailers == request.trailers)
            #expect(history.last?.author == testAuthor)
            #expect(try await producer.history(of: Self.two, from: second, limit: 1).map(\.id) == [second])
            try await context.expectSound()
        }
    }

    @Test(arguments: TransportSubject.all)
    func sixteenWayPushRace(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let writers = 16
            // Every writer fetches the same tip first, so exactly one push of
            // the first round can win and the 15 others must get a conflict.
            var transports: [any Transport] = []
            var base: ObjectID?
            for index in 0..<writers {
                let transport = try await context.open(mirror: "writer-\(index)")
                base = try await transport.fetch()
                transports.append(transport)
            }
            let start = try #require(base)
            let conflicts = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, transport) in transports.enumerated() {
                    group.addTask {
                        var tip: ObjectID? = start
                        var conflicts = 0
                        for _ in 0..<(4 * writers) {
                            let commit = try await transport.createCommit(
                                CommitRequest(
                                    parent: tip,
                                    edits: [.write(path: "resources/default/Job/job-\(index).yaml", contents: fileContents("n: \(index)\n"))],
                                    author: testAuthor,
                                    message: "Job \(index)"
                                )
                            )
                            switch try await transport.push(commit, expecting: tip) {
                            case .pushed(let pushed):
                                #expect(pushed == commit)
                                return conflicts
                            case .conflict, .locked:
                                conflicts += 1
                                tip = try await transport.fetch()
                            case .rejected(let message):
                                throw FixtureError("writer \(index) was rejected: \(message)")
                            }
                        }
                        throw FixtureError("writer \(index) never got its change in")
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(conflicts >= writers - 1)
            let reader = try await context.openReader(mirror: "reader")
            let tip = try #require(try await reader.fetch())
            let paths = try await reader.treeEntries(at: tip, under: "resources").map(\.path)
            #expect(paths == (0..<writers).map { "resources/default/Job/job-\($0).yaml" }.sorted())
            // One commit per writer on top of the seed, in one line of history.
            let history = try await reader.commits(from: tip, excluding: nil, limit: nil)
            #expect(history.count == writers + 1)
            #expect(history.last?.parents == [])
            try await context.expectSound()
        }
    }

    @Test(arguments: TransportSubject.all)
    func serverRejectionIsAnOutcomeWithTheHooksMessage(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            try context.refuseNextPush(saying: "policy: producers may not write status")
            let transport = try await context.open(mirror: "producer")
            let tip = try await transport.fetch()
            let commit = try await transport.createCommit(
                CommitRequest(parent: tip, edits: [.write(path: Self.one, contents: fileContents("x\n"))], author: testAuthor, message: "x")
            )
            let outcome = try await transport.push(commit, expecting: tip)
            guard case .rejected(let message) = outcome else {
                Issue.record("expected .rejected, got \(outcome)")
                return
            }
            #expect(message.contains("policy: producers may not write status"))
            #expect(try await transport.remoteTip() == tip)
        }
    }

    @Test(arguments: TransportSubject.all)
    func unsafeNamesAreRefusedAndLinksListed(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            try await context.plantUnsafeTree()
            let transport = try await context.open(mirror: "reader")
            let tip = try #require(try await transport.fetch())
            // A symbolic link is listed with its mode, for readers to report; it is never read as a file.
            let links = try await transport.treeEntries(at: tip, under: "links")
            #expect(links.map(\.path) == ["links/evil.yaml", "links/ok.yaml"])
            #expect(links.map(\.mode) == [.symlink, .regular])
            let linkChanges = try await transport.changes(from: nil, to: tip, under: "links")
            #expect(linkChanges.map(\.newMode) == [.symlink, .regular])
            #expect(await transportErrorCode { _ = try await transport.treeEntries(at: tip, under: "GIT~1") } == .unsafePath)
            #expect(await transportErrorCode { _ = try await transport.treeEntries(at: tip, under: nil) } == .unsafePath)

            for path in ["resources/.git/config", "resources/.GIT./x", "resources/../x", "/etc/x", "a//b", "git~1/x"] {
                let code = await transportErrorCode {
                    _ = try await transport.createCommit(
                        CommitRequest(parent: tip, edits: [.write(path: path, contents: fileContents("x"))], author: testAuthor, message: "x")
                    )
                }
                #expect(code == .unsafePath, "\(path)")
            }
            #expect(try await transport.remoteTip() == tip)
        }
    }
}
