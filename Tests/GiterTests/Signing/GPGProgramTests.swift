import Testing

@testable import Giter

/// How gpg is run: a time limit and bounded output.
@Suite struct GPGProgramTests {
    @Test func aRunThatOutlivesItsTimeLimitIsStopped() async throws {
        // `sleep` stands in for a gpg waiting on a pinentry nobody answers.
        let program = {
            var program = GPGProgram(program: "sleep")
            program.timeLimit = .milliseconds(200)
            return program
        }()
        try await withDeadline(.seconds(30)) {
            do {
                _ = try await program.run(["60"], environment: GPGVerifier.environment)
                Issue.record("a run past its time limit must throw")
            } catch let error as SigningError {
                #expect(error.code == .gpg)
                #expect(error.message.contains("did not finish within"))
            }
        }
    }

    @Test func outputPastTheLimitStopsTheRun() async throws {
        try await GPGTestHome.with { _ in
            let program = {
                var program = GPGProgram(program: "gpg")
                program.outputLimit = 16
                return program
            }()
            let outcome = try await program.run(["--version"], environment: GPGVerifier.environment)
            #expect(outcome.status == .outputLimitExceeded)
            #expect(!outcome.succeeded)
        }
    }
}
