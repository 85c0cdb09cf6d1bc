import Foundation
import Giter

/// A new exchange repository: the bare repository `giter init` creates at a
/// local path, and the files of its first commit.
enum BareRepository {
    /// The folder of the exchange's own settings.
    static let settingsFolder = ".giter"

    /// A file of the initial layout.
    struct File {
        var path: String
        var text: String
    }

    /// Creates a bare repository at `path` whose `HEAD` names `branch`, when
    /// nothing is there or the folder is empty: the same files as
    /// `git init --bare`, without needing `git`.
    ///
    /// - Returns: whether a repository was created (`false`: one is there).
    /// - Throws: ``ToolError`` when `path` is a file or a folder that holds
    ///   something other than a Git repository.
    static func createIfMissing(at path: String, branch: String) throws -> Bool {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ToolError("\(path) is a file, not a repository; pick another --remote path")
            }
            let contents = (try? files.contentsOfDirectory(atPath: path)) ?? []
            if contents.contains("HEAD") && contents.contains("objects") && contents.contains("refs") { return false }
            guard contents.isEmpty else {
                throw ToolError("\(path) holds files and is not a bare Git repository; pick an empty or new folder")
            }
        }
        do {
            for folder in ["objects/info", "objects/pack", "refs/heads", "refs/tags", "info", "hooks"] {
                try files.createDirectory(atPath: "\(path)/\(folder)", withIntermediateDirectories: true)
            }
            try write("ref: refs/heads/\(branch)\n", to: "\(path)/HEAD")
            try write(
                "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n",
                to: "\(path)/config"
            )
            try write("Giter exchange repository\n", to: "\(path)/description")
        } catch {
            throw ToolError("cannot create a repository at \(path): \(error); check the folder's permissions")
        }
        return true
    }

    /// Points the `HEAD` of the bare repository at `path` to `branch` when it
    /// names a branch that does not exist (an unborn `master`, as
    /// `git init --bare` leaves it), so that a plain `git clone` checks out
    /// the exchange. A `HEAD` naming a branch that exists, a detached one, or
    /// a repository whose references are not files (reftable) is left alone.
    ///
    /// - Returns: the branch `HEAD` named before, when it was changed.
    /// - Throws: ``ToolError`` when `HEAD` cannot be written.
    static func pointHEADIfUnborn(at path: String, to branch: String) throws -> String? {
        guard let head = try? String(contentsOfFile: "\(path)/HEAD", encoding: .utf8) else { return nil }
        let prefix = "ref: refs/heads/"
        let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(prefix) else { return nil }
        let named = String(trimmed.dropFirst(prefix.count))
        guard named != branch, !branchExists(named, in: path),
            let config = try? String(contentsOfFile: "\(path)/config", encoding: .utf8),
            !config.lowercased().contains("refstorage")
        else { return nil }
        do {
            // Written to a temporary file and renamed over HEAD: a reader sees the old HEAD or the new one.
            try Data("\(prefix)\(branch)\n".utf8).write(to: URL(fileURLWithPath: "\(path)/HEAD"), options: .atomic)
        } catch {
            throw ToolError("cannot point HEAD of \(path) to '\(branch)': \(error); check the folder's permissions")
        }
        return named
    }

    /// Whether `refs/heads/<branch>` exists in the bare repository at `path`,
    /// as a loose reference or in `packed-refs`.
    private static func branchExists(_ branch: String, in path: String) -> Bool {
        if FileManager.default.fileExists(atPath: "\(path)/refs/heads/\(branch)") { return true }
        guard let packed = try? String(contentsOfFile: "\(path)/packed-refs", encoding: .utf8) else { return false }
        return packed.split(separator: "\n").contains { $0.hasSuffix(" refs/heads/\(branch)") }
    }

    private static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The files of the first commit: with `admin`, an active policy whose
    /// only party is that admin; without, the inactive policy template.
    static func layout(branch: String, admin: ExchangeIdentity? = nil) -> [File] {
        [
            File(path: "README.md", text: readme(branch: branch)),
            File(path: "\(settingsFolder)/exchange.yaml", text: settings(branch: branch)),
            File(path: ExchangePolicy.path, text: admin.map(PolicyTemplate.active(admin:)) ?? PolicyTemplate.inactive),
            File(path: PolicyTemplate.definitionsReadmePath, text: PolicyTemplate.definitionsReadme),
        ]
    }

    private static func settings(branch: String) -> String {
        """
        # This repository is a Giter exchange: producers write resources' specs,
        # consumers write their status, each commit names its writer.
        # Written by 'giter init'. The contract is policy.yaml and crds/ beside it.
        layoutVersion: 1
        branch: \(branch)
        resources: \(ResourceKey.resourcesFolder)/<namespace>/<Kind>/<bucket>/<name>.\(ResourceKey.fileExtension)
        archive: \(ResourceKey.archiveFolder)/<namespace>/<Kind>/<bucket>/<name>.\(ResourceKey.fileExtension)

        """
    }

    private static func readme(branch: String) -> String {
        """
        # Giter exchange

        This repository exchanges Kubernetes-style resources between a producer,
        which writes each resource's `spec`, and a consumer, which writes its
        `status`. Both go through Git: every change is a commit whose author and
        `Giter-*` trailers say who wrote what, so `git log` is the audit trail.

        Resources are exchanged on the branch `\(branch)`:

        ```
        resources/<namespace>/<Kind>/<bucket>/<name>.yaml   live resources
        archive/<namespace>/<Kind>/<bucket>/<name>.yaml     archived resources
        .giter/exchange.yaml                                 this exchange's settings
        .giter/policy.yaml                                   who may write what (the contract)
        .giter/crds/                                         the schemas of the exchanged kinds
        ```

        When `.giter/policy.yaml` holds a policy, each commit is judged by the
        policy of its parent: producers write specs, consumers statuses, admins
        `.giter/` and this README; `giter verify` checks the whole history.

        `<bucket>` is two hexadecimal digits computed from the name, which spread
        a kind's files over at most 256 folders.

        Use the `giter` command rather than editing files by hand:

        ```
        giter apply -f experiment.yaml     # publish a spec
        giter get experiments              # list them, with their status
        giter history Experiment/sort-1    # who wrote which spec and status
        giter verify                       # check every commit against the contract
        ```

        """
    }
}
