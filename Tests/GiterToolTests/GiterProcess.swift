import Foundation
import GitServerFixtures
import Testing

/// Runs the built `giter` executable, the way a user does.
enum GiterProcess {
    /// What a run printed and how it ended.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `giter` executable: `$GITER_EXECUTABLE` when set, otherwise the
    /// one in the products directory that holds this test bundle (which
    /// follows `--scratch-path`), otherwise `.build/debug/giter` in the package.
    static func executable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["GITER_EXECUTABLE"] {
            return URL(fileURLWithPath: path)
        }
        var directories: [URL] = []
        // macOS: the .xctest bundle is a directory inside the products directory.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // Linux: the test runner is the …PackageTests.xctest executable itself.
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent("giter")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw LocateError(searched: directories.map(\.path))
    }

    struct LocateError: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "cannot find the giter executable in \(searched); build it or set GITER_EXECUTABLE"
        }
    }

    /// Runs `giter` with `arguments` in `directory`, feeding it `stdin`
    /// (nothing when `nil`), with `extra` added to the environment. A run
    /// that takes more than a minute is killed and fails the test.
    static func run(
        _ arguments: [String], stdin: String? = nil, in directory: URL, environment extra: [String: String] = [:]
    ) async throws -> Result {
        // The tool reads GITER_* settings; the test runner's own must not leak in.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITER_") }
            .merging(extra) { _, new in new }
        let output = try await ProcessRunner.run(
            try executable().path, arguments, in: directory, environment: environment,
            input: stdin.map { Data($0.utf8) }, timeLimit: .seconds(60))
        if output.status > 128 {
            Issue.record("giter \(arguments) ended with signal \(output.status - 128)")
        }
        return Result(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}

/// A temporary directory for one test, removed afterwards.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("giter-tool-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to the file `name` in the directory.
    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> GiterProcess.Result {
        try await GiterProcess.run(arguments, stdin: stdin, in: url, environment: environment)
    }
}
