import Foundation
import Giter
import GitServerFixtures
import Testing

/// The OpenSSH programs the SSH signing tests run (`ssh-keygen`,
/// `ssh-agent`, `ssh-add`), and the rule for when they are missing.
///
/// GiterTests does not depend on GitServerFixtures, so this follows its
/// `TestRequirements` rule here: locally a test whose program is missing
/// is skipped with a message; in CI (`CI` set, or `GITER_STRICT_TESTS=1`)
/// it fails, so that it cannot pass without running.
enum SSHTestTools {
    /// The full path of `name` on `PATH`, nil when it is not installed.
    static func path(of name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let keygen = path(of: "ssh-keygen")
    static let agent = path(of: "ssh-agent")
    static let add = path(of: "ssh-add")

    /// A trait for a test that needs `programs`: the test runs when they
    /// are all installed, else it is skipped (locally) or fails (CI).
    static func required(_ programs: [String?], _ names: String) -> any TestTrait {
        if programs.allSatisfy({ $0 != nil }) { return ConditionTrait.enabled(if: true) }
        let missing = "\(names) not found on PATH: install OpenSSH's client tools (Debian: openssh-client)"
        if TestRequirements.isStrict { return Failing(message: "\(missing) (CI or GITER_STRICT_TESTS=1: a missing tool fails the test)") }
        return ConditionTrait.enabled(if: false, Comment(rawValue: "skipping: \(missing)"))
    }

    /// `ssh-keygen` is needed.
    static var needsKeygen: any TestTrait { required([keygen], "ssh-keygen") }
    /// `ssh-keygen`, `ssh-agent` and `ssh-add` are needed.
    static var needsAgent: any TestTrait { required([keygen, agent, add], "ssh-keygen, ssh-agent or ssh-add") }

    /// A trait that fails the test with its message instead of running it.
    struct Failing: TestTrait, TestScoping {
        let message: String

        func provideScope(
            for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
        ) async throws {
            Issue.record(Comment(rawValue: message))
        }
    }

    /// The code of the ``SigningError`` `body` throws; nil when it throws
    /// none (another error is recorded as an issue).
    static func errorCode<Value>(
        sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Value
    ) -> SigningError.Code? {
        error(sourceLocation: sourceLocation, body)?.code
    }

    /// The ``SigningError`` `body` throws; nil when it throws none (another
    /// error is recorded as an issue).
    static func error<Value>(
        sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Value
    ) -> SigningError? {
        do {
            _ = try body()
            return nil
        } catch let error as SigningError {
            return error
        } catch {
            Issue.record("threw \(error), not a SigningError", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// What a program printed and how it ended.
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs `program` with `arguments`, `input` (a file) on its standard
    /// input, and returns when it exits. The caller's deadline ends it:
    /// cancelling the task terminates the process.
    static func run(
        _ program: String?, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
        in folder: SSHScratchFolder
    ) async throws -> Outcome {
        let program = try #require(program, "the program is not installed")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outputPath = folder.file("stdout-\(UUID().uuidString)")
        let errorPath = folder.file("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardInput = try input.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) }
            ?? FileHandle.nullDevice
        let status = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do { try process.run() } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            // SIGKILL: the child may have inherited a mask that blocks SIGTERM.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        return Outcome(
            status: status, output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            error: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// Whether `ssh-keygen -Y verify` accepts `signature` of `message` by
    /// the key of `publicLine` in namespace `git`.
    static func keygenVerifies(
        _ signature: String, of message: [UInt8], publicLine: String, in folder: SSHScratchFolder
    ) async throws -> Bool {
        let allowed = try folder.write(Array("test@giter \(publicLine)".utf8), to: "allowed_signers")
        let messagePath = try folder.write(message, to: "verify-message")
        let signaturePath = try folder.write(Array(signature.utf8), to: "verify-message.sig")
        let outcome = try await run(
            keygen, ["-Y", "verify", "-f", allowed, "-I", "test@giter", "-n", "git", "-s", signaturePath],
            input: messagePath, in: folder)
        return outcome.status == 0
    }

    /// Makes a key with `ssh-keygen -t type [-b bits] -N passphrase` in
    /// `folder` and returns its path (the public key is at `path.pub`).
    static func makeKey(
        _ kind: SSHKeyKind, passphrase: String = "", name: String? = nil, in folder: SSHScratchFolder
    ) async throws -> String {
        let path = folder.file(name ?? "key-\(kind)")
        let outcome = try await run(
            keygen, ["-q", "-t", kind.type] + kind.sizeArguments + ["-N", passphrase, "-C", "test@giter", "-f", path],
            in: folder)
        #expect(outcome.status == 0, "ssh-keygen -t \(kind.type) failed: \(outcome.error)")
        return path
    }
}

/// A key type the tests make with `ssh-keygen`.
enum SSHKeyKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case ed25519, ecdsaP256, ecdsaP384, rsa3072

    var type: String {
        switch self {
        case .ed25519: "ed25519"
        case .ecdsaP256, .ecdsaP384: "ecdsa"
        case .rsa3072: "rsa"
        }
    }

    var sizeArguments: [String] {
        switch self {
        case .ed25519: []
        case .ecdsaP256: ["-b", "256"]
        case .ecdsaP384: ["-b", "384"]
        case .rsa3072: ["-b", "3072"]
        }
    }

    var testDescription: String { rawValue }
}

/// A folder of its own for one test, removed when the test drops it.
final class SSHScratchFolder: Sendable {
    let path: String

    init() throws {
        // Short, so that an agent socket inside fits in sockaddr_un.
        path = "/tmp/giter-ssh-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `bytes` to the file `name` and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }
}
