import ArgumentParser
import Foundation
import GitServerFixtures
import Giter

/// `giter-soak cut-push --backend B` (hidden; run by the soak's tests): a
/// push whose connection is cut in the middle must fail as an error and
/// leave the process alive, and the same push must go through afterwards.
/// It runs in a process of its own, so that the process's SIGPIPE
/// disposition is the default one when the backend starts, as in a host
/// app: in the test runner another test may already have changed it.
struct CutPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cut-push",
        abstract: "Push 4 MB through a proxy that cuts the connection after 256 KB, then push again.",
        shouldDisplay: false
    )

    @Option(help: "The Git backend: libgit2 or git.")
    var backend: SoakBackend

    func run() async throws {
        let folder = NSTemporaryDirectory() + "giter-cut-push-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repositories = URL(fileURLWithPath: folder + "/repos")
        try FileManager.default.createDirectory(at: repositories, withIntermediateDirectories: true)
        _ = try await BareRepository.create(at: repositories.appendingPathComponent("exchange.git"), seeded: false)
        let daemon = try GitDaemonServer(repositoriesURL: repositories)
        try await daemon.start()
        do {
            try await push(through: daemon, folder: folder)
            await daemon.stop()
        } catch {
            await daemon.stop()
            throw error
        }
    }

    private func push(through daemon: GitDaemonServer, folder: String) async throws {
        let proxy = try LoopbackProxy(target: daemon.port)
        defer { proxy.stop() }
        guard var url = URLComponents(string: try daemon.url(for: "exchange")) else { throw SoakError("no daemon URL") }
        url.port = proxy.port
        let transport = try await backend.open(
            RemoteConfiguration(url: url.string ?? "", branch: "main", mirrorPath: folder + "/mirror.git"))
        // Random bytes do not compress: the pack is about as big as the file.
        var generator = SystemRandomNumberGenerator()
        var contents: [UInt8] = []
        contents.reserveCapacity(4 << 20)
        for _ in 0..<(4 << 20) / 8 {
            withUnsafeBytes(of: generator.next() as UInt64) { contents.append(contentsOf: $0) }
        }
        let commit = try await transport.createCommit(
            CommitRequest(
                parent: nil, edits: [.write(path: "big.bin", contents: contents)],
                author: Signature(name: "Soak", email: SoakAPI.email("cut-push")), message: "4 MB of random bytes"))
        proxy.cutAfterClientBytes(256 * 1024)
        do {
            let outcome = try await transport.push(commit, expecting: nil)
            throw SoakError("the push whose connection was cut after 256 KB returned \(outcome) instead of failing")
        } catch let error as SoakError {
            throw error
        } catch {
            print("cut-push: the cut push failed: \(error)")
        }
        proxy.cutAfterClientBytes(nil)
        let outcome = try await transport.push(commit, expecting: nil)
        guard case .pushed = outcome else { throw SoakError("the push after the cut returned \(outcome)") }
        print("cut-push: \(proxy.counts.drops) connection(s) cut; pushed after the cut with \(backend); the process lived")
    }
}
