import Foundation
import GiterLocalGit
import Testing

/// The receive policy over settings given as entries, on a throwaway folder
/// laid out as a bare repository (hooks and loose objects are looked at).
@Suite("Receive policy")
struct ReceivePolicyTests {
    static func withRepository(_ body: (LocalRepository) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("giter-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("objects/17"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("hooks"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(LocalRepository(folder: folder.path))
    }

    static func policy(_ repository: LocalRepository, _ entries: [(String, String?)]) -> ReceivePolicy {
        ReceivePolicy(repository: repository, settings: ReceiveSettings(entries: entries.map { (name: $0.0, value: $0.1) }))
    }

    @Test func aPlainBareRepositoryAllowsTheDirectRoute() throws {
        try Self.withRepository { repository in
            let policy = Self.policy(
                repository,
                [("core.bare", "true"), ("receive.fsckObjects", "false"), ("receive.denyNonFastForwards", "yes"),
                 ("receive.fsck.missingEmail", "ignore"), ("remote.origin.url", "x")])
            #expect(policy.receivePackReason == nil)
            #expect(policy.deniesNonFastForwards)
        }
    }

    /// The safer of the two old rules: an include means receive-pack, whatever the file includes.
    @Test(arguments: ["include.path", "includeIf.gitdir:/srv/.path", "INCLUDE.Path"])
    func anIncludedFileMeansReceivePack(name: String) throws {
        try Self.withRepository { repository in
            let settings = ReceiveSettings(entries: [(name: name, value: "/etc/other")])
            #expect(settings.includesFiles)
            #expect(!settings.mayBeKept)
            let policy = ReceivePolicy(repository: repository, settings: settings)
            #expect(policy.receivePackReason == "its configuration includes other files")
        }
    }

    @Test(arguments: [
        ("core.bare", "false", "the repository is not bare"),
        ("core.bare", "maybe", "core.bare is not a boolean Git reads"),
        ("core.sharedRepository", "group", "core.sharedRepository is set"),
        ("receive.fsckObjects", nil, "receive.fsckObjects is on"),
        ("transfer.fsckObjects", "1", "receive.fsckObjects is on"),
        ("receive.autogc", "sometimes", "receive.autogc is not a boolean Git reads"),
        ("receive.hideRefs", "refs/x", "receive.hiderefs is set"),
        ("transfer.hideRefs", "refs/x", "transfer.hiderefs is set"),
        ("core.hooksPath", "~/hooks", "core.hooksPath starts with ~"),
        ("core.hooksPath", nil, "core.hooksPath has no value"),
        ("gc.auto", "lots", "gc.auto is not a number Git reads"),
        ("gc.autoPackLimit", "many", "gc.autoPackLimit is not a number Git reads"),
        ("receive.unpackLimit", "few", "receive.unpacklimit is not a number Git reads"),
        ("transfer.unpackLimit", nil, "transfer.unpacklimit is not a number Git reads"),
        // The direct route writes no reflog.
        ("core.logAllRefUpdates", "true", "core.logAllRefUpdates is set"),
        ("core.logAllRefUpdates", "always", "core.logAllRefUpdates is set"),
    ] as [(String, String?, String)])
    func settingsThatNeedReceivePack(name: String, value: String?, reason: String) throws {
        try Self.withRepository { repository in
            #expect(Self.policy(repository, [(name, value)]).receivePackReason == reason)
        }
    }

    @Test func anExecutableHookNeedsReceivePackAPlainFileDoesNot() throws {
        try Self.withRepository { repository in
            let hook = repository.folder + "hooks/post-update"
            #expect(FileManager.default.createFile(atPath: hook, contents: Data("#!/bin/sh\n".utf8)))
            #expect(Self.policy(repository, []).receivePackReason == nil, "not executable: Git does not run it")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
            #expect(Self.policy(repository, []).receivePackReason == "it has a post-update hook")
        }
    }

    @Test func enoughLooseObjectsForAutomaticMaintenanceNeedReceivePack() throws {
        try Self.withRepository { repository in
            for index in 0..<3 {
                let name = String(repeating: "\(index)", count: 38)
                #expect(FileManager.default.createFile(atPath: repository.objectsFolder + "/17/" + name, contents: Data()))
            }
            #expect(repository.looseObjectSample == 3)
            #expect(Self.policy(repository, [("gc.auto", "512")]).receivePackReason
                == "it has enough loose objects for git gc --auto")
            #expect(Self.policy(repository, [("gc.auto", "1k")]).receivePackReason == nil, "1k is 1024: 4 per folder")
            #expect(Self.policy(repository, [("gc.auto", "512"), ("receive.autoGC", "false")]).receivePackReason == nil)
            #expect(Self.policy(repository, [("gc.auto", "0")]).receivePackReason == nil)
        }
    }

    /// `git gc --auto` also runs when there are more packs than
    /// `gc.autoPackLimit`: counted as Git counts them (a `.pack` with its
    /// `.idx` and without a `.keep`), past it the push goes through receive-pack.
    @Test func enoughPacksForAutomaticMaintenanceNeedReceivePack() throws {
        try Self.withRepository { repository in
            try FileManager.default.createDirectory(atPath: repository.packFolder, withIntermediateDirectories: true)
            func create(_ name: String) {
                #expect(FileManager.default.createFile(atPath: repository.packFolder + "/" + name, contents: Data()))
            }
            for index in 0..<4 {
                create("pack-\(index).pack")
                create("pack-\(index).idx")
            }
            create("pack-kept.pack")
            create("pack-kept.idx")
            create("pack-kept.keep")
            create("pack-noindex.pack")
            #expect(repository.packCount == 4)
            #expect(Self.policy(repository, [("gc.autoPackLimit", "3")]).receivePackReason
                == "it has enough packs for git gc --auto")
            #expect(Self.policy(repository, [("gc.autoPackLimit", "4")]).receivePackReason == nil)
            #expect(Self.policy(repository, []).receivePackReason == nil, "the default limit is 50")
            #expect(Self.policy(repository, [("gc.autoPackLimit", "0")]).receivePackReason == nil)
            #expect(Self.policy(repository, [("gc.autoPackLimit", "3"), ("gc.auto", "0")]).receivePackReason == nil)
            #expect(Self.policy(repository, [("gc.autoPackLimit", "3"), ("maintenance.auto", "false")])
                .receivePackReason == nil)
        }
    }

    /// Git's choice between loose objects and a pack for a push
    /// (`receive.unpackLimit`, else `transfer.unpackLimit`, else 100), and
    /// the pack count that makes a copy loose again.
    @Test func objectsAreCopiedAsAPackFromTheUnpackLimitOn() throws {
        try Self.withRepository { repository in
            #expect(Self.policy(repository, []).unpackLimit == 100)
            #expect(Self.policy(repository, [("transfer.unpackLimit", "7")]).unpackLimit == 7)
            #expect(Self.policy(repository, [("transfer.unpackLimit", "7"), ("receive.unpackLimit", "9")]).unpackLimit == 9)
            #expect(ObjectCopyRoute.route(objectCount: 99, unpackLimit: 100, into: repository) == .loose)
            #expect(ObjectCopyRoute.route(objectCount: 100, unpackLimit: 100, into: repository) == .pack)
            #expect(ObjectCopyRoute.route(objectCount: 0, unpackLimit: 0, into: repository) == .loose)
            try FileManager.default.createDirectory(atPath: repository.packFolder, withIntermediateDirectories: true)
            for index in 0..<2 {
                for suffix in [".pack", ".idx"] {
                    #expect(FileManager.default.createFile(
                        atPath: repository.packFolder + "/pack-\(index)" + suffix, contents: Data()))
                }
            }
            #expect(ObjectCopyRoute.route(objectCount: 500, unpackLimit: 100, into: repository, packLimit: 2) == .loose)
            #expect(ObjectCopyRoute.route(objectCount: 500, unpackLimit: 100, into: repository, packLimit: 3) == .pack)
        }
    }

    @Test func gitConfigValues() {
        #expect(GitConfigValue.boolean(nil) == true)
        #expect(GitConfigValue.boolean("On") == true)
        #expect(GitConfigValue.boolean("") == false)
        #expect(GitConfigValue.boolean("2k") == true)
        #expect(GitConfigValue.boolean("0") == false)
        #expect(GitConfigValue.boolean("maybe") == nil)
        #expect(GitConfigValue.integer("-3") == -3)
        #expect(GitConfigValue.integer("2M") == 2 << 20)
        #expect(GitConfigValue.integer("k") == nil)
        #expect(GitConfigValue.integer("9223372036854775807g") == nil)
        #expect(GitConfigValue.integer(nil) == nil)
    }
}
