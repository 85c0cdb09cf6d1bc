import ExperimentKit
import Foundation
import GitServerFixtures
import Subprocess
import Synchronization
import Testing

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the real executables, as a user would.
@Suite("The example executables", .serialized)
struct ExecutablesTests {
    /// The folder that holds the built executables: the one of this test runner.
    static func productsFolder() throws -> String {
        var candidates: [String] = []
        if let executable = Bundle.main.executablePath {
            candidates.append((executable as NSString).deletingLastPathComponent)
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append((bundle.bundlePath as NSString).deletingLastPathComponent)
        }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        for folder in candidates where FileManager.default.isExecutableFile(atPath: folder + "/giter-demo") {
            return folder
        }
        throw LocateError(searched: candidates)
    }

    struct LocateError: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "giter-demo is not built next to the tests (looked in \(searched))" }
    }

    static func run(_ name: String, _ arguments: [String]) async throws -> (status: Int32?, output: String) {
        let result = try await Subprocess.run(
            .path(FilePath(try productsFolder() + "/" + name)),
            arguments: Arguments(arguments),
            output: .string(limit: 4 << 20),
            error: .string(limit: 4 << 20)
        )
        let status: Int32? = if case .exited(let code) = result.terminationStatus { code } else { nil }
        return (status, result.standardOutput + result.standardError)
    }

    @Test("giter-demo runs the whole exchange with the spawned consumer and prints the summary and audit trail")
    func demo() async throws {
        let (status, output) = try await Self.run(
            "giter-demo",
            ["--count", "3", "--scale", "0.02", "--plain", "--consumer", "spawn", "--timeout", "60"]
        )
        #expect(status == 0, "\(output)")
        #expect(output.contains("consumer  experiment-consumer, pid"))
        #expect(output.contains("exited with status 0 (graceful shutdown)"))
        #expect(output.contains("3 experiments in"))
        #expect(output.contains("verified 3; 3 archived"))
        #expect(output.components(separatedBy: "Verified").count - 1 >= 6, "3 progress lines and 3 table rows")
        #expect(output.contains("[producer]  spec ×3"))
        #expect(output.contains("[consumer]  status ×"))
        #expect(output.contains("[producer]  archive ×3"))
        #expect(output.contains("contract  .giter/policy.yaml"))
        // The forged push: refused by the guard, or (without one) found by giter verify.
        #expect(output.contains("A forged push"))
        #expect(output.contains("role: a consumer writes only status; it changed spec"))
    }

    @Test("The producer and the consumer work against a bare repository given by path")
    func producerAndConsumer() async throws {
        let folder = NSTemporaryDirectory() + "giter-executables-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try await LocalExchangeRepository.create(at: folder + "/lab.git")
        let common = ["--remote", repository.path, "--cache", folder + "/cache", "--poll-interval", "0.1"]

        let produced = try await Self.run(
            "experiment-producer",
            common + ["--count", "2", "--scale", "0.01", "--timeout", "1", "--batch", "t1"]
        )
        #expect(produced.status == 1, "nobody ran them: \(produced.output)")
        #expect(produced.output.contains("TimedOut"))

        let consumed = try await Self.run("experiment-consumer", common + ["--exit-when-idle", "--runner", "ci"])
        #expect(consumed.status == 0, "\(consumed.output)")
        #expect(consumed.output.contains("experiment done"))

        let checked = try await Self.run(
            "experiment-producer",
            common + ["--count", "2", "--scale", "0.01", "--timeout", "30", "--batch", "t1"]
        )
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("verified 2; 2 archived"))
        #expect(checked.output.contains("on ci"))

        let usage = try await Self.run("experiment-producer", ["--remote", repository.path, "--count", "0"])
        #expect(usage.status == 64)
        #expect(usage.output.contains("--count must be between 1 and 1000"))
    }
}

extension ExecutablesTests {
    @Test("--signing-key: the producer and the consumer sign every commit they write")
    func producerAndConsumerSign() async throws {
        let keygen = ["/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen", "/opt/homebrew/bin/ssh-keygen"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        })
        // CI installs openssh-client: there a missing ssh-keygen fails the test.
        guard try TestRequirements.available(keygen == nil ? "ssh-keygen not found; install openssh-client" : nil, for: "the signing example"),
            let keygen
        else { return }
        let folder = NSTemporaryDirectory() + "giter-executables-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = folder + "/key"
        let made = try await Subprocess.run(
            .path(FilePath(keygen)), arguments: ["-q", "-t", "ed25519", "-N", "", "-C", "lab", "-f", key],
            output: .discarded, error: .string(limit: 1 << 16))
        try #require(made.terminationStatus.isSuccess, "\(made.standardError)")
        let repository = try await LocalExchangeRepository.create(at: folder + "/lab.git")
        let common = ["--remote", repository.path, "--cache", folder + "/cache", "--poll-interval", "0.1", "--signing-key", key]

        let produced = try await Self.run("experiment-producer", common + ["--count", "1", "--scale", "0.01", "--timeout", "1", "--batch", "s1"])
        #expect(produced.status == 1, "nobody ran it: \(produced.output)")
        let consumed = try await Self.run("experiment-consumer", common + ["--exit-when-idle", "--runner", "ci"])
        #expect(consumed.status == 0, "\(consumed.output)")

        // Every commit verifies with git against the key ('*': any author).
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        try Data("* namespaces=\"git\" \(publicKey)".utf8).write(to: URL(fileURLWithPath: folder + "/allowed"))
        let log = try await LocalExchangeRepository.git([
            "--git-dir", repository.path, "-c", "gpg.ssh.allowedSignersFile=\(folder)/allowed", "log", "--format=%G? %ae", "main",
        ])
        let lines = log.split(separator: "\n")
        #expect(lines.count >= 2, "\(log)")
        #expect(lines.allSatisfy { $0.hasPrefix("G ") }, "\(log)")
    }
}

extension ExecutablesTests {
    @Test("--webhook-listen needs a secret file, and an empty secret file is refused before anything runs")
    func webhookFlags() async throws {
        let folder = NSTemporaryDirectory() + "giter-executables-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try await LocalExchangeRepository.create(at: folder + "/lab.git")
        let common = ["--remote", repository.path, "--cache", folder + "/cache"]

        for name in ["experiment-consumer", "experiment-producer"] {
            let unsigned = try await Self.run(name, common + ["--webhook-listen", "127.0.0.1:0"])
            #expect(unsigned.status == 64, "\(unsigned.output)")
            #expect(unsigned.output.contains("--webhook-listen needs --webhook-secret-file"))

            let address = try await Self.run(
                name, common + ["--webhook-listen", "nowhere", "--webhook-secret-file", folder + "/secret"])
            #expect(address.status == 64, "\(address.output)")
            #expect(address.output.contains("HOST:PORT"))

            try Data("\n".utf8).write(to: URL(fileURLWithPath: folder + "/empty"))
            let empty = try await Self.run(
                name, common + ["--webhook-listen", "127.0.0.1:0", "--webhook-secret-file", folder + "/empty"])
            #expect(empty.status == 1, "\(empty.output)")
            #expect(empty.output.contains("\(folder)/empty is empty"))
        }
    }
}

extension ExecutablesTests {
    /// The forge: a `post-receive` hook that posts a signed GitHub webhook
    /// for each pushed ref to every port given.
    static func webhookHook(secretFile: String, ports: [Int]) -> String {
        """
        #!/usr/bin/env python3
        import hashlib, hmac, json, sys, urllib.request, uuid
        secret = open(\(String(reflecting: secretFile)), "rb").read().rstrip(b"\\r\\n")
        for line in sys.stdin:
            ref = line.split()[2]
            body = json.dumps({"ref": ref}).encode()
            signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            for port in \(ports):
                request = urllib.request.Request(
                    "http://127.0.0.1:%d/hooks/github" % port, data=body, method="POST",
                    headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature,
                             "X-GitHub-Delivery": str(uuid.uuid4())})
                try:
                    urllib.request.urlopen(request, timeout=10)
                except Exception as error:
                    print("webhook to %d failed: %s" % (port, error), file=sys.stderr)
        """
    }

    @Test(
        "--webhook-listen: with polls of an hour, the consumer and the producer's wait are woken by webhooks alone",
        .timeLimit(.minutes(3)))
    func webhooksWakeTheExamples() async throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        })
        guard try TestRequirements.available(python == nil ? "python3 not found" : nil, for: "the webhook example"),
            python != nil
        else { return }
        let folder = NSTemporaryDirectory() + "giter-executables-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try await LocalExchangeRepository.create(at: folder + "/lab.git")
        let secretFile = folder + "/secret"
        try Data("webhook-example-secret\n".utf8).write(to: URL(fileURLWithPath: secretFile))
        let consumerPort = try LoopbackPort.free()
        let producerPort = try LoopbackPort.free()
        let hook = repository.path + "/hooks/post-receive"
        try Data(Self.webhookHook(secretFile: secretFile, ports: [consumerPort, producerPort]).utf8)
            .write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let common = [
            "--remote", repository.path, "--cache", folder + "/cache", "--poll-interval", "3600",
            "--webhook-secret-file", secretFile,
            // The repository is on this machine: without this, its watcher would wake both, webhooks or not.
            "--no-watch-local-remote",
        ]
        let consumer = ConsumerUnderTest(
            executable: try Self.productsFolder() + "/experiment-consumer",
            arguments: common + ["--webhook-listen", "127.0.0.1:\(consumerPort)", "--runner", "hooked"])
        let (produced, consumerLog) = try await consumer.running(after: "listening for webhooks on") {
            // Ready once it listens: from then on no push goes unheard.
            try await Self.run(
                "experiment-producer",
                common + [
                    "--webhook-listen", "127.0.0.1:\(producerPort)", "--count", "2", "--scale", "0.01", "--timeout",
                    "120", "--batch", "w1",
                ])
        }
        #expect(produced.status == 0, "\(produced.output)\nconsumer:\n\(consumerLog)")
        #expect(produced.output.contains("verified 2; 2 archived"))
        #expect(produced.output.contains("on hooked"))
    }
}

/// An example executable run as a child process while a test body runs,
/// then stopped with SIGTERM.
struct ConsumerUnderTest {
    let executable: String
    let arguments: [String]

    /// Starts the executable, awaits a line of its output containing
    /// `announcement` (within a minute), runs `body`, then stops it;
    /// returns `body`'s result and everything the executable printed.
    func running<T: Sendable>(
        after announcement: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> (T, String) {
        let (value, printed, _) = try await runningWithStatus(after: announcement, body)
        return (value, printed)
    }

    /// ``running(after:_:)``, with how the executable ended after SIGTERM.
    func runningWithStatus<T: Sendable>(
        after announcement: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> (T, String, TerminationStatus) {
        let printed = Mutex(Data())
        let (chunks, chunkInput) = AsyncStream.makeStream(of: Data.self)
        let output = Pipe()
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                chunkInput.finish()
            } else {
                printed.withLock { $0 += chunk }
                chunkInput.yield(chunk)
            }
        }
        let writer = FileDescriptor(rawValue: output.fileHandleForWriting.fileDescriptor)
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments), input: .none,
            output: .fileDescriptor(writer, closeAfterSpawningProcess: false),
            error: .fileDescriptor(writer, closeAfterSpawningProcess: false)
        ) { execution -> T in
            defer { try? execution.send(signal: .terminate) }
            let announced = try await withDeadline {
                var seen = Data()
                for await chunk in chunks {
                    seen += chunk
                    if String(decoding: seen, as: UTF8.self).contains(announcement) { return true }
                }
                return false
            }
            try #require(announced, "the executable ended without printing '\(announcement)'")
            return try await body()
        }
        try? output.fileHandleForWriting.close()
        return (result.closureResult, String(decoding: printed.withLock { $0 }, as: UTF8.self), result.terminationStatus)
    }
}

extension ExecutablesTests {
    /// Runs an example executable with exactly `environment`, for at most two minutes.
    static func run(_ name: String, _ arguments: [String], environment: [String: String]) async throws
        -> (status: Int32, output: String)
    {
        let result = try await ProcessRunner.run(
            try productsFolder() + "/" + name, arguments, environment: environment, timeLimit: .seconds(120))
        return (result.status, result.stdout + result.stderr)
    }

    @Test(
        "The producer and the consumer take giter's credential options: over SSH with the keys of ssh-agent alone",
        ServerAvailability.enabled(.ssh), .timeLimit(.minutes(4)))
    func credentialOptions() async throws {
        guard try TestRequirements.available(SSHAgentProcess.unavailableReason, for: "the ssh-agent example") else { return }
        let folder = try TemporaryDirectory(prefix: "giter-executables")
        let repositories = try folder.makeDirectory("repos")
        let home = try folder.makeDirectory("home")
        let server = try SSHServer(repositoriesURL: repositories)
        try await withStartedServer(server) { server in
            _ = try await LocalExchangeRepository.create(at: repositories.appendingPathComponent("lab.git").path)
            let common = [
                "--remote", try server.url(for: "lab"), "--cache", folder.appending("cache").path,
                "--poll-interval", "0.2", "--known-hosts", server.knownHostsFile.path,
            ]
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            // A user name alone is refused before anything runs, by both.
            for name in ["experiment-producer", "experiment-consumer"] {
                let refused = try await Self.run(
                    name, common, environment: ["PATH": path, "HOME": home.path, "GITER_USERNAME": "lab"])
                #expect(refused.status == 64, "\(refused.output)")
                #expect(refused.output.contains("GITER_USERNAME is set without GITER_PASSWORD or GITER_TOKEN"))
            }

            let agent = try await SSHAgentProcess()
            do {
                try await agent.add(server.identityFile(.ed25519))
                let environment = ["PATH": path, "HOME": home.path, "SSH_AUTH_SOCK": agent.socketPath]
                let produced = try await Self.run(
                    "experiment-producer", common + ["--count", "1", "--scale", "0.01", "--timeout", "1", "--batch", "a1"],
                    environment: environment)
                #expect(produced.status == 1, "nobody ran it: \(produced.output)")
                #expect(produced.output.contains("TimedOut"), "\(produced.output)")
                let consumed = try await Self.run(
                    "experiment-consumer", common + ["--exit-when-idle", "--runner", "ci"], environment: environment)
                #expect(consumed.status == 0, "\(consumed.output)")
                let checked = try await Self.run(
                    "experiment-producer", common + ["--count", "1", "--scale", "0.01", "--timeout", "60", "--batch", "a1"],
                    environment: environment)
                #expect(checked.status == 0, "\(checked.output)")
                #expect(checked.output.contains("verified 1; 1 archived"), "\(checked.output)")
            } catch {
                await agent.stop()
                throw error
            }
            await agent.stop()
        }
    }
}
