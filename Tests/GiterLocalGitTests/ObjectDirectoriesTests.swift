import Foundation
import Giter
@testable import GiterLocalGit
import Testing

/// Reading the object folders git gives a hook, and the hooks folder rule.
@Suite("Object directories from a hook's environment")
struct ObjectDirectoriesTests {
    static func withFolders(_ names: [String], _ body: (URL) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("giter-objects-\(UUID().uuidString)")
        for name in names {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: root) }
        try body(root)
    }

    @Test func noVariablesMeanTheRepositorysOwnObjects() throws {
        let directories = try ObjectDirectories(environment: ["PATH": "/bin"], workingDirectory: "/")
        #expect(directories == .repositoryOwn)
        #expect(directories.gitEnvironment.isEmpty)
    }

    @Test func aHooksQuarantineIsReadAsGitGivesIt() throws {
        try Self.withFolders(["repo.git/objects/incoming-x"]) { root in
            let repository = root.appendingPathComponent("repo.git").path
            let quarantine = repository + "/objects/incoming-x"
            let directories = try ObjectDirectories(
                environment: [
                    "GIT_OBJECT_DIRECTORY": quarantine, "GIT_QUARANTINE_PATH": quarantine,
                    "GIT_ALTERNATE_OBJECT_DIRECTORIES": repository + "/objects",
                ],
                workingDirectory: "/")
            #expect(directories.primary == quarantine)
            #expect(directories.alternates == [repository + "/objects"])
            #expect(directories.gitEnvironment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] == repository + "/objects")
        }
    }

    @Test func relativePathsAreTakenFromTheWorkingDirectory() throws {
        try Self.withFolders(["repo.git/objects/incoming"]) { root in
            let repository = root.appendingPathComponent("repo.git").path
            let directories = try ObjectDirectories(
                environment: ["GIT_OBJECT_DIRECTORY": "objects/incoming", "GIT_ALTERNATE_OBJECT_DIRECTORIES": "objects"],
                workingDirectory: repository)
            #expect(directories.primary == repository + "/objects/incoming")
            #expect(directories.alternates == [repository + "/objects"])
        }
    }

    /// Without GIT_OBJECT_DIRECTORY, the quarantine is still read (after the alternates).
    @Test func aQuarantinePathAloneIsAnAlternate() throws {
        try Self.withFolders(["q"]) { root in
            let quarantine = root.appendingPathComponent("q").path
            let directories = try ObjectDirectories(
                environment: ["GIT_QUARANTINE_PATH": quarantine], workingDirectory: "/")
            #expect(directories.primary == nil)
            #expect(directories.alternates == [quarantine])
        }
    }

    @Test(arguments: ["GIT_OBJECT_DIRECTORY", "GIT_QUARANTINE_PATH"])
    func aMissingFolderIsRefused(name: String) throws {
        let error = #expect(throws: TransportError.self) {
            try ObjectDirectories(environment: [name: "/nonexistent/giter/objects"], workingDirectory: "/")
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(name) == true)
    }

    @Test func quotedEntriesAreUnquoted() throws {
        let list = #"/a/plain:"/b/with:colon":"/c/\"q\"\\x\101\tz"::/d"#
        #expect(try ObjectDirectories.parseList(list) == ["/a/plain", "/b/with:colon", "/c/\"q\"\\xA\tz", "/d"])
    }

    @Test(arguments: [#""/unterminated"#, #""/a"b"#, #""/bad\q""#, #""/short\1""#])
    func brokenQuotingIsRefused(list: String) {
        #expect(throws: TransportError.self) { try ObjectDirectories.parseList(list) }
    }

    @Test(arguments: ["/plain/path", "/with:colon", "/with\"quote", "/with\\backslash", "/tab\there", "\"/leading", "/ü/é"])
    func quotingRoundTrips(path: String) throws {
        let quoted = ObjectDirectories.quoteIfNeeded(path)
        #expect(try ObjectDirectories.parseList(quoted + ":/next") == [path, "/next"])
        #expect(quoted.contains(":") == false || quoted.hasPrefix("\""))
    }

    @Test func theHooksFolderFollowsCoreHooksPath() {
        let repository = LocalRepository(folder: "/srv/git/lab.git")
        #expect(repository.hooksFolder(configured: nil) == .folder("/srv/git/lab.git/hooks"))
        #expect(repository.hooksFolder(configured: .some("custom/")) == .folder("/srv/git/lab.git/custom"))
        #expect(repository.hooksFolder(configured: .some("/etc/git-hooks")) == .folder("/etc/git-hooks"))
        #expect(repository.hooksFolder(configured: .some(nil)) == .unusable("core.hooksPath has no value"))
        #expect(repository.hooksFolder(configured: .some("~/hooks")) == .unusable("core.hooksPath starts with ~"))
    }
}
