import Foundation

/// Whether a test whose server, tool or corpus is missing may skip.
///
/// Locally a test that needs something this machine lacks (a server's
/// programs, `ssh-keygen`, a corpus) skips with a message saying what to
/// install. `.ci/run` sets `GITER_STRICT_TESTS=1`, and CI services set
/// `CI`: there every such test must run, so a missing dependency fails the
/// test instead of letting it pass by returning early. Every test target
/// asks this one place (the codec's tests, which depend on the codec only,
/// keep their own `Prerequisite`).
public enum TestRequirements {
    /// `true` when `GITER_STRICT_TESTS` is `1` or `CI` is set: nothing may be skipped.
    public static var isStrict: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["GITER_STRICT_TESTS"] == "1" || !(environment["CI"] ?? "").isEmpty
    }

    /// Decides what a test does when something it needs is missing.
    ///
    /// Returns `true` when `reason` is `nil` (everything is there). When
    /// something is missing, returns `false` after printing a skip message,
    /// or, under ``isStrict``, throws ``FixtureUnavailable`` so that the
    /// test fails.
    ///
    /// ```swift
    /// guard try TestRequirements.available(ServerKind.ssh.unavailableReason, for: "the SSH remote") else { return }
    /// ```
    public static func available(_ reason: String?, for what: String) throws -> Bool {
        guard let reason else { return true }
        if isStrict {
            throw FixtureUnavailable(reason: "\(what) cannot run (CI or GITER_STRICT_TESTS=1): \(reason)")
        }
        print("skipping \(what): \(reason)")
        return false
    }
}
