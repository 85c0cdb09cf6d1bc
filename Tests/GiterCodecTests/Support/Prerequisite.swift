import Foundation
import Testing

/// The one place that decides what a test does when something it needs
/// outside the package (a corpus, `python3` with PyYAML) is missing.
///
/// Locally the test is skipped, and the run shows why. Under
/// `GITER_STRICT_TESTS=1` (CI sets it in `.ci/run`) the test fails with the
/// same message, which says what to install: in CI a test that could not
/// run must not count as passed.
///
/// ```swift
/// @Test(Prerequisite.required(TestData.directory("json-test-suite") != nil, TestData.missingMessage("json-test-suite")))
/// ```
enum Prerequisite {
    /// The environment variable under which a missing prerequisite fails the test.
    static let strictVariable = "GITER_STRICT_TESTS"

    /// Whether a missing prerequisite fails the test (`GITER_STRICT_TESTS=1`).
    static var isStrict: Bool { isStrict(ProcessInfo.processInfo.environment) }

    /// Whether `environment` asks for strict tests.
    static func isStrict(_ environment: [String: String]) -> Bool { environment[strictVariable] == "1" }

    /// What happens to a test whose prerequisite is missing.
    enum Outcome: Equatable {
        /// The prerequisite is there: the test runs.
        case run
        /// Skipped, with the message.
        case skip(String)
        /// Failed without running, with the message.
        case fail(String)
    }

    /// The outcome for a prerequisite that is `available` or not, `missing`
    /// saying what is missing and what to install, in strict mode or not.
    static func outcome(available: Bool, missing: String, strict: Bool) -> Outcome {
        if available { return .run }
        return strict
            ? .fail("\(missing) (\(strictVariable)=1: a missing prerequisite fails the test; install it, or unset "
                + "\(strictVariable) to skip locally)")
            : .skip("skipping: \(missing)")
    }

    /// A trait for a test that needs something `available`: the test runs,
    /// is skipped (locally) or fails (strict) as ``outcome(available:missing:strict:)`` says.
    static func required(_ available: Bool, _ missing: String) -> any TestTrait {
        switch outcome(available: available, missing: missing, strict: isStrict) {
        case .run: ConditionTrait.enabled(if: true)
        case .skip(let message): ConditionTrait.enabled(if: false, Comment(rawValue: message))
        case .fail(let message): Failing(message: message)
        }
    }

    /// A trait that fails the test with its message instead of running it.
    struct Failing: TestTrait, TestScoping {
        let message: String

        func provideScope(
            for test: Test,
            testCase: Test.Case?,
            performing function: @Sendable () async throws -> Void
        ) async throws {
            Issue.record(Comment(rawValue: message))
        }
    }
}
