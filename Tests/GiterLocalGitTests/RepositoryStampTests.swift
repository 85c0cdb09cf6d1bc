import Foundation
import Giter
import GiterLocalGit
import Testing

/// When what a backend read about a repository on this machine may be kept.
@Suite("Repository stamps and ref files")
struct RepositoryStampTests {
    static func withRepository(_ body: (LocalRepository, URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("giter-stamp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("objects"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("refs/heads"), withIntermediateDirectories: true)
        try Data("ref: refs/heads/main\n".utf8).write(to: folder.appendingPathComponent("HEAD"))
        try Data("[core]\n\tbare = true\n".utf8).write(to: folder.appendingPathComponent("config"))
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(LocalRepository(folder: folder.path), folder)
    }

    static func age(_ file: URL, seconds: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -seconds)], ofItemAtPath: file.path)
    }

    @Test func aSettledConfigurationIsKeptUntilItChanges() throws {
        try Self.withRepository { repository, folder in
            #expect(repository.hasRepositoryLayout)
            let config = folder.appendingPathComponent("config")
            try Self.age(config, seconds: 60)
            let start = Platform.wallClock()
            let before = RepositoryStamp(repository)
            let after = RepositoryStamp(repository)
            #expect(RepositoryStamp.mayKeep(readBetween: before, and: after, readStart: start))
            #expect(after.isCurrent)
            // Rewritten in place with the same size: the times tell.
            try Data("[core]\n\tbare = tru3\n".utf8).write(to: config)
            #expect(!after.isCurrent)
        }
    }

    @Test func aConfigurationChangedJustNowIsNotKept() throws {
        try Self.withRepository { repository, _ in
            let start = Platform.wallClock()
            let before = RepositoryStamp(repository)
            #expect(!RepositoryStamp.mayKeep(readBetween: before, and: RepositoryStamp(repository), readStart: start))
        }
    }

    @Test func aChangeDuringTheReadIsNotKept() throws {
        try Self.withRepository { repository, folder in
            let config = folder.appendingPathComponent("config")
            try Self.age(config, seconds: 120)
            let start = Platform.wallClock()
            let before = RepositoryStamp(repository)
            try Self.age(config, seconds: 60)
            #expect(!RepositoryStamp.mayKeep(readBetween: before, and: RepositoryStamp(repository), readStart: start))
        }
    }

    @Test func aMissingRepositoryIsNeverKept() {
        let repository = LocalRepository(folder: "/nonexistent/giter-\(UUID().uuidString)")
        let stamp = RepositoryStamp(repository)
        #expect(!RepositoryStamp.mayKeep(readBetween: stamp, and: stamp, readStart: Platform.wallClock()))
        #expect(!repository.hasRepositoryLayout)
    }

    @Test func refsAreReadFromTheirFileElsePackedRefs() throws {
        try Self.withRepository { repository, folder in
            let loose = String(repeating: "a", count: 40)
            let packed = String(repeating: "b", count: 40)
            #expect(repository.readReference("refs/heads/main") == .missing)
            let packedRefs = "# pack-refs with: peeled fully-peeled sorted\n\(packed) refs/heads/main\n"
                + "\(packed) refs/giter/checkpoint\n"
            try Data(packedRefs.utf8).write(to: folder.appendingPathComponent("packed-refs"))
            #expect(repository.readReference("refs/heads/main") == .value(try #require(ObjectID(hex: packed))))
            #expect(repository.readReference("refs/giter/checkpoint") == .value(try #require(ObjectID(hex: packed))))
            try Data("\(loose)\n".utf8).write(to: folder.appendingPathComponent("refs/heads/main"))
            #expect(repository.readReference("refs/heads/main") == .value(try #require(ObjectID(hex: loose))))
            try Data("ref: refs/heads/other\n".utf8).write(to: folder.appendingPathComponent("refs/heads/main"))
            #expect(repository.readReference("refs/heads/main") == .unreadable, "symbolic: left to git")
            #expect(ReferenceLock("refs/heads/main", in: repository).path == repository.folder + "refs/heads/main.lock")
        }
    }

    @Test func filesAreCreatedDurablyOnce() throws {
        try Self.withRepository { repository, _ in
            let id = try #require(ObjectID(hex: "17" + String(repeating: "c", count: 38)))
            let path = repository.looseObjectPath(id)
            #expect(path == repository.folder + "objects/17/" + String(repeating: "c", count: 38))
            try Platform.createDurably(Array("first".utf8), at: path, mode: 0o444)
            try Platform.createDurably(Array("second".utf8), at: path, mode: 0o444)
            #expect(Platform.contents(of: path) == Array("first".utf8), "an existing file is kept")
            #expect(Platform.stamp(of: path).map { $0.mode & 0o777 } == 0o444)
            #expect(Platform.entryNames(in: repository.objectsFolder + "/17").filter { $0.hasPrefix("tmp_obj_") }.isEmpty)
        }
    }
}
