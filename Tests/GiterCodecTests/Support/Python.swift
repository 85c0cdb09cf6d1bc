import Foundation
import Testing

/// Runs `python3` for cross-checks against PyYAML, once per batch of inputs.
///
/// Input and output go through temporary files rather than pipes, so a
/// large batch can never deadlock on a full pipe buffer.
enum Python {
    /// Why PyYAML cannot be used, or `nil` when `python3 -c "import yaml"` works.
    static let pyYAMLUnavailableReason: String? = {
        do {
            let result = try run(script: "import yaml", input: [])
            if result.status == 0 { return nil }
            return "python3 cannot import yaml (exit \(result.status)): \(result.errorOutput)"
                + " — install PyYAML (pip install pyyaml, or apt-get install python3-yaml)"
        } catch {
            return "python3 could not be started (\(error)); install python3 and PyYAML (apt-get install python3-yaml)"
        }
    }()

    /// A trait that runs a test only when PyYAML is available; otherwise
    /// the test is skipped, or fails under `GITER_STRICT_TESTS=1`
    /// (``Prerequisite/required(_:_:)``), with the reason.
    static var requiresPyYAML: any TestTrait {
        Prerequisite.required(
            pyYAMLUnavailableReason == nil, "PyYAML cross-check cannot run: \(pyYAMLUnavailableReason ?? "")")
    }

    struct Result {
        var status: Int32
        /// Everything the script wrote to the file named by `sys.argv[2]`.
        var output: [UInt8]
        var errorOutput: String
    }

    /// Runs `python3 -c script INPUT OUTPUT`: the script reads its input
    /// from the file `sys.argv[1]` and writes its result to `sys.argv[2]`.
    static func run(script: String, input: [UInt8]) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("giter-python-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("input")
        let outputURL = directory.appendingPathComponent("output")
        let errorURL = directory.appendingPathComponent("stderr")
        try Data(input).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        defer { try? errorHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, inputURL.path, outputURL.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = errorHandle
        process.standardError = errorHandle
        try process.run()
        process.waitUntilExit()

        let output = (try? Data(contentsOf: outputURL)).map { [UInt8]($0) } ?? []
        let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output, errorOutput: errors)
    }
}
