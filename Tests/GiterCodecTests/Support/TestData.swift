import Foundation
import Testing

/// Locates the shared test corpora (`json-test-suite`, `yaml-test-suite`, …).
///
/// The corpora live outside the package, in `../shared/testdata` relative to
/// the package root (found from this file's path). Set the environment
/// variable `GITER_TESTDATA` to use another directory.
///
/// A test that needs a corpus takes the trait ``enabled(_:)``: when the
/// corpus is missing, the test is skipped locally and fails under
/// `GITER_STRICT_TESTS=1` (``Prerequisite``), with ``missingMessage(_:)``
/// ("corpus not found at …"):
///
/// ```swift
/// @Test(TestData.enabled("json-test-suite"))
/// func conformance() throws {
///     let directory = try #require(TestData.directory("json-test-suite"))
///     …
/// }
/// ```
enum TestData {
    /// The environment variable that overrides the corpus root.
    static let environmentVariable = "GITER_TESTDATA"

    /// Where the corpora are expected: `$GITER_TESTDATA`, or
    /// `<package root>/../shared/testdata`.
    static var expectedRoot: URL {
        if let override = ProcessInfo.processInfo.environment[environmentVariable], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        // #filePath is <root>/Tests/GiterCodecTests/Support/TestData.swift.
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // GiterCodecTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        return packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared", isDirectory: true)
            .appendingPathComponent("testdata", isDirectory: true)
            .standardizedFileURL
    }

    /// The corpus root, or `nil` when it does not exist.
    static var root: URL? { existingDirectory(expectedRoot) }

    /// The corpus directory `name` under the root (e.g. `"json-test-suite"`),
    /// or `nil` when it does not exist.
    static func directory(_ name: String) -> URL? {
        existingDirectory(expectedRoot.appendingPathComponent(name, isDirectory: true))
    }

    /// "corpus … not found at …", naming the path that was tried and how to get it.
    static func missingMessage(_ name: String) -> String {
        let path = expectedRoot.appendingPathComponent(name, isDirectory: true).path
        return "corpus '\(name)' not found at \(path); put a checkout of it there, "
            + "or set \(environmentVariable) to the directory that holds it"
    }

    /// A trait that runs the test only when corpus `name` exists; otherwise
    /// the test is skipped, or fails under `GITER_STRICT_TESTS=1`
    /// (``Prerequisite/required(_:_:)``).
    static func enabled(_ name: String) -> any TestTrait {
        Prerequisite.required(directory(name) != nil, missingMessage(name))
    }

    private static func existingDirectory(_ url: URL) -> URL? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return nil
        }
        return url
    }
}
