import Foundation
import GitServerFixtures
import Subprocess
import Testing

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The short soak of CI: `giter-soak run` over git daemon with both
/// backends, as `Benchmarks/soak.sh` runs the long one
/// (Documentation/Reliability.md, "Soak").
@Suite("The soak", .serialized)
struct SoakTests {
    /// The last line `giter-soak run` prints.
    struct Summary {
        var applies, statuses, kills, restarts, drops, lost, violations: Int
        var converged: Bool

        /// Reads `soak: <A> applies, <S> statuses, <K> kills, <R> restarts, <D> drops, lost <L>, violations <V>, converged yes|no`.
        init?(_ line: Substring) {
            let words = line.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
            guard words.count == 17, words[0] == "soak:", words[2] == "applies", words[4] == "statuses",
                words[6] == "kills", words[8] == "restarts", words[10] == "drops", words[11] == "lost",
                words[13] == "violations", words[15] == "converged", ["yes", "no"].contains(words[16])
            else { return nil }
            let numbers = [1, 3, 5, 7, 9, 12, 14].compactMap { Int(words[$0]) }
            guard numbers.count == 7 else { return nil }
            (applies, statuses, kills, restarts, drops, lost, violations) =
                (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6])
            converged = words[16] == "yes"
        }
    }

    /// Runs `giter-soak` with `arguments`; its exit status, standard output, and both outputs together.
    static func soak(_ arguments: [String]) async throws -> (status: Int32?, output: String, all: String) {
        let result = try await Subprocess.run(
            .path(FilePath(try productsFolder() + "/giter-soak")),
            arguments: Arguments(arguments),
            output: .string(limit: 8 << 20),
            error: .string(limit: 8 << 20)
        )
        let status: Int32? = if case .exited(let code) = result.terminationStatus { code } else { nil }
        return (status, result.standardOutput, result.standardOutput + result.standardError)
    }

    /// The folder of the built executables: the one of this test runner.
    static func productsFolder() throws -> String {
        var candidates: [String] = []
        if let executable = Bundle.main.executablePath {
            candidates.append((executable as NSString).deletingLastPathComponent)
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append((bundle.bundlePath as NSString).deletingLastPathComponent)
        }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        for folder in candidates where FileManager.default.isExecutableFile(atPath: folder + "/giter-soak") {
            return folder
        }
        throw SoakTestError("giter-soak is not built next to the tests (looked in \(candidates))")
    }

    struct SoakTestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The output's last line, read as the summary.
    static func summary(of output: String) throws -> Summary {
        let lines = output.split(separator: "\n")
        let last = try #require(lines.last { $0.hasPrefix("soak: ") && $0.contains(" applies, ") }, "\(output.suffix(4000))")
        return try #require(Summary(last), "not the summary line: \(last)")
    }

    @Test(
        "Both backends over git daemon under kills, restarts and cut connections: nothing lost, no violation, converged",
        .timeLimit(.minutes(3)))
    func shortSoak() async throws {
        guard try TestRequirements.available(ServerKind.gitDaemon.unavailableReason, for: "the soak over git daemon") else {
            return
        }
        let (status, output, all) = try await Self.soak([
            "run", "--duration", "25", "--servers", "daemon", "--backends", "libgit2,git", "--producers", "2",
            "--consumers", "2", "--converge-timeout", "60",
        ])
        let summary = try Self.summary(of: output)
        let tail = String(all.suffix(6000))
        #expect(status == 0, "\(tail)")
        #expect(output.hasSuffix("converged yes\n"), "the summary is the last line: \(tail)")
        #expect(summary.lost == 0 && summary.violations == 0 && summary.converged, "\(tail)")
        // The soak did something: without load and faults it proves nothing.
        #expect(summary.applies >= 20, "\(tail)")
        #expect(summary.statuses >= 10, "\(tail)")
        #expect(summary.kills >= 5, "\(tail)")
        #expect(summary.restarts >= 1, "\(tail)")
    }

    /// Found by the soak: libgit2 writes to its sockets without
    /// `MSG_NOSIGNAL`, so a connection cut in the middle of a push killed the
    /// host process with SIGPIPE (exit status 141) instead of failing the push.
    @Test(
        "A push whose connection is cut in the middle fails as an error, the process lives, the next push goes through",
        .timeLimit(.minutes(2)), arguments: ["libgit2", "git"])
    func cutPush(backend: String) async throws {
        guard try TestRequirements.available(ServerKind.gitDaemon.unavailableReason, for: "the cut push over git daemon") else {
            return
        }
        let (status, output, all) = try await Self.soak(["cut-push", "--backend", backend])
        #expect(status == 0, "\(all)")
        #expect(output.contains("cut-push: the cut push failed: "), "\(all)")
        #expect(output.contains("pushed after the cut with \(backend); the process lived"), "\(all)")
    }

    @Test(
        "An acknowledged apply missing from the history is reported as lost and the soak exits 1",
        .timeLimit(.minutes(2)))
    func lostApplyFails() async throws {
        guard try TestRequirements.available(ServerKind.gitDaemon.unavailableReason, for: "the soak over git daemon") else {
            return
        }
        let (status, output, all) = try await Self.soak([
            "run", "--duration", "3", "--servers", "daemon", "--backends", "libgit2", "--producers", "1",
            "--consumers", "1", "--converge-timeout", "30", "--inject-lost-apply",
        ])
        let summary = try Self.summary(of: output)
        let tail = String(all.suffix(4000))
        #expect(status == 1, "\(tail)")
        #expect(summary.lost == 1, "\(tail)")
        #expect(output.contains("lost: p1's acknowledged apply of p1-1 generation 999"), "\(tail)")
    }
}
