/// The command line of `SigningBenchmark` (run-signing.sh passes its arguments through).
///
/// ```
/// SigningBenchmark [--runs N] [--signing-commits M] [--peer-commits P] [--commits N]
///                  [--backends libgit2,git] [--work DIR] [--gnupg-home DIR] [--quick]
/// ```
struct Options: Sendable {
    /// Rounds over all contenders, alternating their order.
    var runs = 5
    /// Commits each Giter signer makes per run (signing cost).
    var signingCommits = 200
    /// Commits `git commit-tree` makes per run and variant (each one a process, or two when signing).
    var peerCommits = 50
    /// The length of each signed chain that is verified.
    var verifiedCommits = 1_000
    /// The transports the signing cost is measured on: `libgit2`, `git`.
    var backends = ["libgit2", "git"]
    /// A folder made for this run (run-signing.sh makes it, and removes it); `nil`: make one.
    var work: String?
    /// A short, empty folder under `/tmp` for the GnuPG homes; `nil`: make one.
    var gnupgHome: String?

    static let usage =
        "usage: SigningBenchmark [--runs N] [--signing-commits M] [--peer-commits P] [--commits N] "
        + "[--backends libgit2,git] [--work DIR] [--gnupg-home DIR] [--quick]"

    /// Reads `arguments` (without the program's name).
    init(arguments: some Sequence<String>) throws(BenchmarkError) {
        var remaining = Array(arguments)[...]
        func count(after flag: String) throws(BenchmarkError) -> Int {
            guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                throw BenchmarkError("\(flag) takes a positive whole number\n\(Self.usage)")
            }
            return value
        }
        func text(after flag: String) throws(BenchmarkError) -> String {
            guard let text = remaining.popFirst(), !text.isEmpty else {
                throw BenchmarkError("\(flag) takes a value\n\(Self.usage)")
            }
            return text
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--runs": runs = try count(after: argument)
            case "--signing-commits": signingCommits = try count(after: argument)
            case "--peer-commits": peerCommits = try count(after: argument)
            case "--commits": verifiedCommits = try count(after: argument)
            case "--backends":
                backends = try text(after: argument).split(separator: ",").map(String.init)
                guard !backends.isEmpty, backends.allSatisfy({ $0 == "libgit2" || $0 == "git" }) else {
                    throw BenchmarkError("--backends takes libgit2, git or both (libgit2,git)")
                }
            case "--work": work = try text(after: argument)
            case "--gnupg-home": gnupgHome = try text(after: argument)
            case "--quick":
                runs = 2
                signingCommits = 20
                peerCommits = 10
                verifiedCommits = 50
            default:
                throw BenchmarkError("unknown argument \(argument)\n\(Self.usage)")
            }
        }
    }
}
