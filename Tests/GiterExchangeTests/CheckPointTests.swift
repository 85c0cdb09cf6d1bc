import Foundation
import GitServerFixtures
import Giter
import Testing

/// A store saves how far it checked the history in its mirror, through its
/// transport; the next process on that mirror checks only what arrived
/// since, with the same result.
@Suite("History check points", .serialized)
struct CheckPointTests {
    @Test(arguments: Backend.allCases)
    func aNewProcessChecksOnlyNewCommitsAndKeepsWhatWasIgnored(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
            let key = try await publish(1, with: producer)[0]
            let consumer = try await lab.store(consumerIdentity(0), mirror: "consumer")
            try await consumer.refresh()
            let stored = try #require(try await consumer.get(key))
            var status = JobStatus()
            status.digest = "genuine"
            #expect(try await consumer.write(.status(key, status, specDigest: stored.specDigest)) == .statusWritten)

            // The producer's identity forges a status.
            let forger = try await lab.backend.open(
                RemoteConfiguration(url: lab.url, mirrorPath: lab.scratch.appendingPathComponent("mirror-forger").path))
            func forge(_ from: String, _ to: String) async throws {
                let tip = try #require(try await forger.fetch())
                let entry = try #require(try await forger.treeEntries(at: tip, under: nil).first { $0.path == key.repositoryPath })
                let text = String(decoding: try await forger.blob(entry.id), as: UTF8.self)
                let identity = producerIdentity(0)
                let signature = Signature(name: identity.name, email: identity.email)
                let commit = try await forger.createCommit(
                    CommitRequest(
                        parent: tip, edits: [.write(path: key.repositoryPath, contents: Array(text.replacingOccurrences(of: from, with: to).utf8))],
                        author: signature, committer: signature, message: "forged", trailers: []))
                #expect(try await forger.push(commit, expecting: tip) == .pushed(commit))
            }
            try await forge("digest: genuine", "digest: forged")

            let first = try await lab.store(consumerIdentity(7), mirror: "reader")
            try await first.refresh()
            #expect(try await first.get(key)?.resource.status?.digest == "genuine")
            #expect(lab.events.violations.count == 1)
            // Kept through the transport (a ref to a blob), not as a file the core writes into the mirror folder.
            let mirror = try await lab.backend.open(
                RemoteConfiguration(url: lab.url, mirrorPath: lab.scratch.appendingPathComponent("mirror-reader").path))
            let point = try await mirror.localValue(named: LocalValueName("checkpoints/Job/main"))
            #expect(point.map { String(decoding: $0, as: UTF8.self).contains("version: 2") } == true)
            #expect(!FileManager.default.fileExists(atPath: lab.scratch.appendingPathComponent("mirror-reader/giter").path))

            // The next process on the same mirror: the old commits are not checked again,
            // and what was ignored stays ignored.
            let second = try await lab.store(consumerIdentity(7), mirror: "reader")
            try await second.refresh()
            #expect(lab.events.violations.count == 1, "no commit checked twice")
            #expect(try await second.get(key)?.resource.status?.digest == "genuine")

            // A new forgery is checked and reported.
            try await forge("digest: forged", "digest: forged-again")
            try await second.refresh()
            #expect(lab.events.violations.count == 2)
            #expect(try await second.get(key)?.resource.status?.digest == "genuine")
        }
    }
}
