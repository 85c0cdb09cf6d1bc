// SigningBenchmark (issue 11): what signing adds to a commit, and how fast
// signed commits are verified, Giter against git, side by side in one run.
// Run it with Benchmarks/run-signing.sh (release build); see
// Documentation/Performance.md, "Signed commits (issue 11)".
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Benchmark {
    static func main() async {
        let options: Options
        do {
            options = try Options(arguments: CommandLine.arguments.dropFirst())
        } catch {
            progress("SigningBenchmark: \(error)")
            exit(2)
        }
        var teardown = Teardown()
        let work: String
        let gnupgFolder: String
        do {
            work = try options.work ?? makeFolder(under: access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", teardown: &teardown)
            // Short: gpg-agent puts its sockets in the GnuPG home.
            gnupgFolder = try options.gnupgHome ?? makeFolder(under: "/tmp", teardown: &teardown)
        } catch {
            progress("SigningBenchmark: \(error)")
            teardown.run(spawner: Spawner(folder: "/tmp", overrides: [:]))
            exit(1)
        }
        let spawner = Spawner(folder: work, overrides: gitEnvironment)
        var failed = false
        do {
            try await run(options: options, work: work, gnupgFolder: gnupgFolder, spawner: spawner, teardown: &teardown)
        } catch {
            progress("SigningBenchmark failed: \(error)")
            failed = true
        }
        teardown.run(spawner: spawner)
        exit(failed ? 1 : 0)
    }

    /// An isolated git (no system or user configuration) with fixed identities.
    static let gitEnvironment = [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": BenchmarkKeys.email,
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": BenchmarkKeys.email,
    ]

    private static func run(
        options: Options, work: String, gnupgFolder: String, spawner: Spawner, teardown: inout Teardown
    ) async throws {
        let loadBefore = try spawner.run(["uptime"]).trimmingCharacters(in: .whitespacesAndNewlines)
        progress("work folder \(work), GnuPG homes under \(gnupgFolder)")
        let keys = try await BenchmarkKeys.make(in: work, gnupgFolder: gnupgFolder, spawner: spawner, teardown: &teardown)
        let signing = try await SigningCost(options: options, keys: keys, work: work, spawner: spawner).measure()
        let (chains, verification) = try await VerificationThroughput(
            options: options, keys: keys, work: work, spawner: spawner
        ).measure()
        let loadAfter = try spawner.run(["uptime"]).trimmingCharacters(in: .whitespacesAndNewlines)

        print("## Signing benchmark (issue 11)\n")
        print("- Machine: \(machine(spawner: spawner))")
        print("- Scratch: \(work.hasPrefix("/dev/shm") ? "/dev/shm (tmpfs)" : work); \(versions(spawner: spawner))")
        print("- Load before: `\(loadBefore)`")
        print("- Load after: `\(loadAfter)`")
        print(
            "- Runs: \(options.runs); signing \(options.signingCommits) commits per signer and run, peer "
                + "\(options.peerCommits); verification chains of \(options.verifiedCommits) commits\n")
        Report(options: options, signing: signing, chains: chains, verification: verification).print()
    }

    /// CPU model, cores and architecture.
    private static func machine(spawner: Spawner) -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpu.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let architecture = ((try? spawner.run(["uname", "-m"])) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(model), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores (nproc), \(architecture)"
    }

    /// The versions of git, gpg and OpenSSH.
    private static func versions(spawner: Spawner) -> String {
        func first(_ arguments: [String], fromErrors: Bool = false) -> String {
            guard let outcome = try? spawner.launch(arguments) else { return "?" }
            let text = fromErrors ? outcome.errors : outcome.output
            return text.split(separator: "\n").first.map(String.init) ?? "?"
        }
        return [first(["git", "--version"]), first(["gpg", "--version"]), first(["ssh", "-V"], fromErrors: true)]
            .joined(separator: "; ")
    }

    /// A new private folder under `base`, removed at the end.
    private static func makeFolder(under base: String, teardown: inout Teardown) throws(BenchmarkError) -> String {
        var template = Array("\(base)/giter-sign-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchmarkError("cannot create a temporary folder in \(base): errno \(errno)")
        }
        let path = String(cString: made)
        teardown.folderMade(path)
        return path
    }
}
