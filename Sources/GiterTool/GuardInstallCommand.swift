import ArgumentParser
import Foundation
import GiterLocalGit

/// `giter guard install`: writes the `pre-receive` hook into a repository.
struct GuardInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install 'giter guard pre-receive' as a repository's pre-receive hook.",
        discussion: """
            Writes an executable pre-receive hook into the repository's hooks \
            folder (core.hooksPath when the repository sets it, else hooks/) that \
            runs this giter executable, by its absolute path, as 'giter guard \
            pre-receive --backend BACKEND'. A pre-receive hook giter did not write \
            is left alone unless --force is given; one it wrote is replaced.

            Example:
              giter guard install --repository /srv/git/lab.git
            """
    )

    @Option(name: .long, help: ArgumentHelp("The bare repository to guard.", valueName: "path"))
    var repository: String

    @Flag(name: .long, help: "Replace a pre-receive hook giter did not write.")
    var force = false

    @Option(name: .long, help: "The backend the hook reads the pushed objects with.")
    var backend: Backend = .libgit2

    func run() async throws {
        try await ErrorReporting.run {
            let path = LocalPath.absolute(repository)
            let local = LocalRepository(folder: path)
            guard local.hasRepositoryLayout else {
                throw ToolError("\(path) is not a Git repository; give the bare repository's folder with --repository")
            }
            let reader = try await backend.openRepository(at: path, environment: [:])
            let configured = try await reader.configurationValue("core.hooksPath")
            let folder: String
            switch local.hooksFolder(configured: configured.map { .some($0) }) {
            case .folder(let found): folder = found
            case .unusable(let reason): throw ToolError("cannot tell where git runs hooks: \(reason); set core.hooksPath to a folder")
            }
            let hook = folder + "/pre-receive"
            let executable = try GuardHook.currentExecutable()
            let files = FileManager.default
            let replaced = files.fileExists(atPath: hook)
            if replaced, !force {
                guard let current = files.contents(atPath: hook) else {
                    throw ToolError("cannot read the existing hook \(hook); check its permissions, or give --force to replace it")
                }
                guard GuardHook.isOwn(current) else {
                    throw ToolError("\(hook) is a pre-receive hook giter did not write; giter leaves it alone: give --force to replace it")
                }
            }
            do {
                try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let script = Data(GuardHook.script(executable: executable, backend: backend).utf8)
                let temporary = folder + "/.pre-receive.giter-\(UUID().uuidString)"
                try script.write(to: URL(fileURLWithPath: temporary))
                try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
                if rename(temporary, hook) != 0 {
                    let reason = String(cString: strerror(errno))
                    try? files.removeItem(atPath: temporary)
                    throw ToolError("cannot write \(hook): \(reason)")
                }
            } catch let error as ToolError {
                throw error
            } catch {
                throw ToolError("cannot write \(hook): \(error); check the folder's permissions")
            }
            StandardOutput.write(
                "\(replaced ? "replaced" : "installed") the pre-receive hook \(hook): "
                    + "it runs \(executable) guard pre-receive --backend \(backend.rawValue)\n")
        }
    }
}
