import ArgumentParser
import Giter
import GiterLocalGit

/// `giter unlock --remote PATH [--branch B] [--force]`: removes a branch's
/// ref lock left in a bare repository on this machine.
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove a branch's lock file left in a repository on this machine.",
        discussion: """
            A push moves a branch under its lock file, refs/heads/<branch>.lock \
            in the repository. A writer killed while it holds it leaves it \
            behind, and every later push then fails with 'the ref lock … is \
            held'. Giter removes the locks of its own dead processes by itself \
            (it records their owner in refs/heads/<branch>.giter-owner.lock); \
            this command removes any other: one taken by Git or receive-pack, \
            by a Giter process on another host, or one without a record.

            It refuses when the owner record says that the holder is a live \
            process on this host (a push is running): stop it or wait, or pass \
            --force. Prints what it removed, or that the branch was not locked.

            Exit status: 0 when the branch is not locked any more, 1 when the \
            lock was not removed, 64 for a usage error (a remote that is not a \
            repository on this machine).

            Examples:
              giter unlock --remote /srv/git/lab.git
              giter unlock --remote /srv/git/lab.git --branch exchange --force
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The repository, a path or file:// URL on this machine (default: $GITER_REMOTE).", valueName: "path")
    )
    var remote: String?

    @Option(name: .long, help: ArgumentHelp("The branch whose lock to remove.", valueName: "branch"))
    var branch: String = "main"

    @Flag(name: .long, help: "Remove the lock even when its holder is a live process on this host.")
    var force = false

    func run() async throws {
        try await ErrorReporting.run {
            let lock = try referenceLock()
            switch try lock.unlock(force: force) {
            case .notHeld:
                StandardOutput.write("\(lock.reference) is not locked (no \(lock.path))\n")
            case .recovered(let what):
                StandardOutput.write("\(what)\n")
            case .removed(let holder):
                StandardOutput.write("removed \(lock.path) (\(holder))\n")
            }
        }
    }

    /// The lock of `branch` in the repository `remote` names.
    private func referenceLock() throws -> ReferenceLock {
        guard let given = remote ?? Environment.value("GITER_REMOTE"), !given.isEmpty else {
            throw ToolError.usage("no repository given: pass --remote PATH or set GITER_REMOTE")
        }
        let url = LocalPath.isLocal(given) ? LocalPath.absolute(LocalPath.stripFileScheme(given)) : given
        guard let repository = LocalRepositoryURL(url)?.directRepository else {
            throw ToolError.usage(
                "\(given) is not a repository on this machine: a server's lock is removed on the server "
                    + "(rm <repository>/refs/heads/\(branch).lock, once no push is running)")
        }
        guard repository.hasRepositoryLayout else {
            throw ToolError("\(url) is not a Git repository (no HEAD, objects and refs); check --remote")
        }
        guard !branch.isEmpty, !branch.hasPrefix("/"), !branch.split(separator: "/").contains(".."),
            !branch.hasSuffix(".lock")
        else {
            throw ToolError.usage("'\(branch)' is not a branch name")
        }
        return ReferenceLock("refs/heads/\(branch)", in: repository)
    }
}
