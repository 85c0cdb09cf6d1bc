import Giter
import Testing

/// A symbolic link or gitlink is no resource file: "archiving" one writes
/// its text as a regular file under `archive/`, which is not the live file
/// moved unchanged, so the contract refuses it (issue 12).
@Suite("The contract: a link is never archived")
struct ArchivedLinkTests {
    let key = ResourceKey(namespace: "reports", kind: "Report", name: "a")
    let blob = ObjectID(hex: "1111111111111111111111111111111111111111")!

    func violations(movingMode mode: FileMode) async throws -> [ContractViolation] {
        let target = Array("../../../../../etc/passwd".utf8)
        let checker = ContractChecker(contract: .open(roles: namedRoles), read: { _ in target })
        let producer = Signature(name: "Report producer", email: "producer@example.com")
        let commit = CommitInfo(
            id: ObjectID(hex: "2222222222222222222222222222222222222222")!, parents: [], author: producer,
            committer: producer, message: "giter producer: archive 1\n\nGiter-Role: producer\n")
        return try await checker.violations(
            of: commit,
            changes: [
                PathChange(path: key.repositoryPath, oldID: blob, oldMode: mode, newID: nil, newMode: nil),
                PathChange(path: key.archivePath, oldID: nil, oldMode: nil, newID: blob, newMode: .regular),
            ])
    }

    @Test func aLinkMovedUnderArchiveAsARegularFileIsRefused() async throws {
        for mode in [FileMode.symlink, .gitlink] {
            let found = try await violations(movingMode: mode)
            #expect(found.map(\.rule) == [.archive], "\(mode): \(found)")
            #expect(found.first?.path == key.archivePath)
        }
    }

    @Test func aRegularFileMovedUnchangedIsAllowed() async throws {
        #expect(try await violations(movingMode: .regular).isEmpty)
    }
}
