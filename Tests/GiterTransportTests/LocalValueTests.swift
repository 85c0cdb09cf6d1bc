import Foundation
import GitServerFixtures
import Giter
import Testing

/// Local values (`refs/giter/<name>` → a blob in the mirror): stored and read
/// back by each backend, read by the other backend from the same mirror,
/// untouched by fetches and pushes, never sent to the remote.
@Suite("Transport local values", .serialized)
struct LocalValueTests {
    @Test(arguments: Backend.allCases)
    func aValueStaysInTheMirrorAcrossFetchesAndPushes(_ backend: Backend) async throws {
        try await withRemote(.localPath) { context in
            let transport = try await context.open(backend, mirror: "values")
            let name = try LocalValueName("checkpoints/Job/main")
            let other = try LocalValueName("checkpoints/Report/main")
            #expect(try await transport.localValue(named: name) == nil)

            try await transport.storeLocalValue(fileContents("version: 1\n"), named: name)
            try await transport.storeLocalValue([], named: other)
            #expect(try await transport.localValue(named: name) == fileContents("version: 1\n"))
            #expect(try await transport.localValue(named: other) == [])

            // Replaced, then carried through a push and a fetch (with --prune).
            try await transport.storeLocalValue(fileContents("version: 2\n"), named: name)
            let commit = try await transport.createCommit(
                CommitRequest(
                    parent: nil, edits: [.write(path: "resources/a/Job/x.yaml", contents: fileContents("spec: {}\n"))],
                    author: testAuthor, message: "one", trailers: []))
            #expect(try await transport.push(commit, expecting: nil) == .pushed(commit))
            #expect(try await transport.fetch() == commit)
            #expect(try await transport.localValue(named: name) == fileContents("version: 2\n"))

            // Never sent to the remote.
            let remoteRefs = try await context.repository.refs()
            #expect(remoteRefs.keys.contains { $0.hasPrefix("refs/giter/") } == false, "\(remoteRefs)")

            // The other backend reads the same mirror the same way.
            let reader = try await backend.other.open(transport.configuration)
            #expect(try await reader.localValue(named: name) == fileContents("version: 2\n"))

            try await transport.storeLocalValue(nil, named: name)
            #expect(try await transport.localValue(named: name) == nil)
            #expect(try await reader.localValue(named: name) == nil)
            #expect(try await reader.localValue(named: other) == [])
            try await transport.storeLocalValue(nil, named: name)  // removing what is gone changes nothing
        }
    }

    @Test(arguments: ["", "a//b", "/a", "a/", ".a", "a/.b", "a.lock", "a.", "a..b", "a b", "a:b", "a@{1}", "a\\b", "a\u{7F}"])
    func aNameThatCannotNameARefIsRefused(_ name: String) {
        let error = #expect(throws: TransportError.self) { try LocalValueName(name) }
        #expect(error?.code == .invalidArgument)
    }

    @Test(arguments: ["checkpoints/Job/main", "checkpoints/Job/feature/x-1", "a.b_c-d"])
    func aRefNameIsAName(_ name: String) throws {
        let value = try LocalValueName(name)
        #expect(value.reference == "refs/giter/" + name)
        #expect(value.description == name)
    }
}
