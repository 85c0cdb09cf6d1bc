import Foundation
import Giter
import Logging

/// The initial sync of a consumer of the scale exchange, full against
/// partial (issue 15, part 5): the resources spread over `namespaces`
/// namespaces, each applied in commits of its own, served by `git daemon`
/// on 127.0.0.1 with filters allowed. A sync is a new store's first
/// refresh (the history checked from the contract) and a list of one
/// namespace. Full: a store of everything on a full mirror. Partial: the
/// git backend's partial mirror (`BlobFetch.onDemand`) and a store scoped
/// to that namespace. Bytes: the packs in the mirror afterwards.
struct PartialSync {
    var seconds: Double
    var bytes: Int
    var listed: Int
}

enum PartialFixture {
    static func namespace(_ index: Int, of count: Int) -> String {
        "bench-" + String(format: "%02d", index % count)
    }

    static let policy = Fixture.policy.replacingOccurrences(of: "[\"\(Fixture.namespace)\"]", with: "[\"bench-*\"]")

    static func file(_ index: Int, namespace: String) -> String {
        Fixture.file(index, generation: 1).replacingOccurrences(
            of: "namespace: \(Fixture.namespace)\n", with: "namespace: \(namespace)\n")
    }

    static func makeExchange(at path: String, resources: Int, namespaces: Int, perCommit: Int, work: String) throws {
        let streamPath = work + "/partial.fi"
        let stream = try FastImportStream(path: streamPath)
        try stream.commit(
            Fixture.admin, message: "giter: the exchange's contract\n",
            files: [(ExchangePolicy.path, policy), (".giter/crds/widgets.yaml", Fixture.definition)])
        for index in 0..<namespaces {
            let name = namespace(index, of: namespaces)
            let members = Array(stride(from: index, to: resources, by: namespaces))
            for first in stride(from: 0, to: members.count, by: perCommit) {
                let chunk = members[first..<min(members.count, first + perCommit)]
                let keys = chunk.map { ResourceKey(namespace: name, kind: Fixture.kind, name: Fixture.name($0)) }
                try stream.commit(
                    Fixture.producer, message: Trailers.apply(keys, generation: 1),
                    files: zip(chunk, keys).map { ($1.repositoryPath, file($0, namespace: name)) })
            }
        }
        try stream.close()
        try git(["init", "--quiet", "--bare", "-b", "main", path])
        for setting in [["uploadpack.allowFilter", "true"], ["uploadpack.allowReachableSHA1InWant", "true"]] {
            try git(["-C", path, "config"] + setting)
        }
        try git(["-C", path, "fast-import", "--quiet"], input: streamPath)
        try git(["-C", path, "gc", "--quiet"])
    }

    @discardableResult
    static func git(_ arguments: [String], input: String? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        process.environment = environment
        if let input { process.standardInput = FileHandle(forReadingAtPath: input) }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ScaleError("git \(arguments.joined(separator: " ")) failed") }
        return process.terminationStatus
    }

    /// `git daemon` serving `root` on a free port; stop it with `terminate()`.
    static func startDaemon(root: String) throws -> (Process, String) {
        let socket = try FreePort.pick()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=\(socket)", "--base-path=\(root)",
            "--export-all", "--informative-errors",
        ]
        try process.run()
        let url = "git://127.0.0.1:\(socket)/exchange.git"
        let deadline = Date().addingTimeInterval(10)
        while (try? git(["ls-remote", url])) == nil {
            guard Date() < deadline else { throw ScaleError("git daemon did not start") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return (process, url)
    }
}

enum FreePort {
    static func pick() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScaleError("no socket") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw ScaleError("cannot bind a port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

func packBytes(_ mirror: String) -> Int {
    let folder = mirror + "/objects/pack"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasSuffix(".pack") }.reduce(0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0)
    }
}

func runPartialSync(backend: Backend, partial: Bool, url: String, namespace: String, mirror: String) async throws
    -> PartialSync
{
    var logger = Logger(label: "scale.partial")
    logger.logLevel = .error
    let configuration = RemoteConfiguration(url: url, mirrorPath: mirror, blobFetch: partial ? .onDemand : .everything)
    let started = now()
    let transport = try await backend.open(configuration)
    var options = StoreOptions(identity: Fixture.consumer, roles: Fixture.roles, logger: logger, cacheLimit: 200_000)
    if partial { options.scope = .only(namespaces: [namespace], kinds: [Fixture.kind]) }
    let store = GitResourceStore<Widget>(transport: transport, resourceType: widgetType, options: options)
    try await store.refresh()
    let listed = try await store.list(ResourceQuery(namespace: namespace))
    let seconds = Double(now() - started) / 1e9
    return PartialSync(seconds: seconds, bytes: packBytes(mirror), listed: listed.count)
}
