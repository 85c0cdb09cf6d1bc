import Testing

/// The one rule for tests whose corpus or tool is missing: skipped locally,
/// failed under `GITER_STRICT_TESTS=1`.
@Suite struct PrerequisiteTests {
    @Test func strictModeIsTheEnvironmentVariableSetToOne() {
        #expect(Prerequisite.isStrict(["GITER_STRICT_TESTS": "1"]))
        #expect(!Prerequisite.isStrict([:]))
        #expect(!Prerequisite.isStrict(["GITER_STRICT_TESTS": "0"]))
    }

    @Test func aMissingPrerequisiteSkipsLocallyAndFailsWhenStrict() {
        let missing = "corpus 'x' not found at /nowhere; put a checkout of it there"
        #expect(Prerequisite.outcome(available: true, missing: missing, strict: true) == .run)
        #expect(Prerequisite.outcome(available: true, missing: missing, strict: false) == .run)
        #expect(Prerequisite.outcome(available: false, missing: missing, strict: false) == .skip("skipping: \(missing)"))
        guard case .fail(let message) = Prerequisite.outcome(available: false, missing: missing, strict: true) else {
            Issue.record("a missing prerequisite must fail the test in strict mode")
            return
        }
        #expect(message.hasPrefix(missing) && message.contains("GITER_STRICT_TESTS=1"))
    }

    @Test func corpusAndPyYAMLMessagesSayWhatToInstall() {
        #expect(TestData.missingMessage("yaml-test-suite").contains("GITER_TESTDATA"))
        if let reason = Python.pyYAMLUnavailableReason { #expect(reason.contains("install")) }
    }
}
