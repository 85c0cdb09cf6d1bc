import ArgumentParser
import Foundation
import Giter

/// `giter init`: creates an exchange repository with its initial layout.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an exchange repository with its initial layout.",
        discussion: """
            For a local path (or file:// URL) that does not exist yet, or is an \
            empty folder, creates a bare Git repository there. Then, when the \
            branch does not exist yet, pushes a first commit with the layout: \
            a README.md that explains the repository, .giter/exchange.yaml, \
            the policy .giter/policy.yaml and .giter/crds/README.md. Resources \
            go under resources/<namespace>/<Kind>/<bucket>/<name>.yaml as they \
            are applied, archived ones under archive/.

            With --admin "Name <email>", the policy is active and its only \
            party is that admin, who writes the first commit and then adds the \
            producer and consumer parties and the kinds' definitions \
            (CustomResourceDefinitions in .giter/crds/). Without it, the policy \
            is a commented, inactive template: the exchange stays open (roles \
            not enforced) until an admin commits a policy.

            For a remote server, create an empty repository there first (with \
            the server's web interface or tools), then run 'giter init' on its \
            URL. Running 'giter init' again on an initialized exchange changes \
            nothing. It fails when the branch already has commits that are \
            not an exchange's.

            A plain 'git clone' checks out the branch the repository's HEAD \
            names. For a local repository whose HEAD names a branch that does \
            not exist (an existing empty repository made by 'git init --bare' \
            names an unborn master), 'giter init' points HEAD at the exchange \
            branch; a HEAD naming a branch that exists is left alone. Git \
            cannot change a remote repository's HEAD: set the default branch \
            on the server (its web interface, or 'git symbolic-ref HEAD \
            refs/heads/main' in the bare repository there).

            Exit status: 0 when the exchange is ready, 1 when it could not be \
            created, 64 for a usage error.

            Examples:
              giter init --remote /srv/git/lab.git --admin "Olga Owner <owner@lab.example>"
              giter init --remote ssh://git@git.example.com/lab/exchange.git
              GITER_REMOTE=/srv/git/lab.git giter init --branch experiments
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write an active policy whose only party is this admin, \"Name <email>\", the first commit's author.",
            valueName: "identity"
        )
    )
    var admin: String?

    func validate() throws {
        if let admin, ExchangeIdentity(parsing: admin, role: .producer) == nil {
            throw ValidationError(
                "--admin '\(admin)' is not of the form \"Name <email>\"; for example --admin \"Olga <owner@lab.example>\""
            )
        }
    }

    func run() async throws {
        try await ErrorReporting.run {
            let url = try exchange.remoteURL()
            if LocalPath.isLocal(url) {
                if try BareRepository.createIfMissing(at: url, branch: exchange.branch) {
                    StandardOutput.write("Created a bare repository at \(url)\n")
                }
            }
            let opened = try await Exchange.open(exchange)
            let transport = opened.transport
            if let tip = try await transport.fetch() {
                let entries = try await transport.treeEntries(at: tip, under: BareRepository.settingsFolder)
                guard entries.isEmpty else {
                    StandardOutput.write("The exchange at \(url) (branch \(exchange.branch)) is already initialized\n")
                    try pointHEAD(of: url)
                    return
                }
                throw ToolError(
                    "branch '\(exchange.branch)' at \(url) already has commits and no "
                        + "\(BareRepository.settingsFolder)/ folder: "
                        + "'giter init' only sets up an empty branch; pick another --branch"
                )
            }
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let administrator = admin.flatMap { ExchangeIdentity(parsing: $0, role: .producer) }
            // With a policy, the admin writes the first commit: no role trailer, the policy decides.
            let author = administrator ?? opened.identity
            let request = CommitRequest(
                parent: nil,
                edits: BareRepository.layout(branch: exchange.branch, admin: administrator).map {
                    .write(path: $0.path, contents: Array($0.text.utf8))
                },
                author: Signature(name: author.name, email: author.email, date: now),
                message: administrator == nil
                    ? "giter init: exchange repository layout"
                    : "giter init: exchange repository layout, with a policy whose admin is \(author.email)",
                trailers: administrator == nil ? [Trailer(CommitTrailers.role, ExchangeRole.producer.rawValue)] : []
            )
            let commit = try await transport.createCommit(request, signer: opened.signer)
            switch try await transport.push(commit, expecting: nil) {
            case .pushed:
                StandardOutput.write("Initialized the exchange at \(url) (branch \(exchange.branch))\n")
                try pointHEAD(of: url)
                if let administrator {
                    StandardOutput.write(
                        "The policy in \(ExchangePolicy.path) is active; its only party is the admin \(administrator.email), "
                            + "who adds the producer and consumer parties and the definitions in \(Contract.definitionsFolder)/\n"
                    )
                } else {
                    StandardOutput.write(
                        "The exchange is open (roles are not enforced) until an admin commits an active \(ExchangePolicy.path)\n"
                    )
                }
            case .conflict(let message):
                throw ToolError(
                    "branch '\(exchange.branch)' at \(url) appeared while initializing (\(message)); "
                        + "run 'giter init' again"
                )
            case .rejected(let message):
                throw ToolError("the server refused the first commit: \(message)")
            case .locked(let message):
                throw ToolError("could not create branch '\(exchange.branch)' at \(url): \(message)")
            }
        }
    }

    /// Points the `HEAD` of a local bare repository at the exchange branch
    /// when it names an unborn branch, so that `git clone` checks it out.
    private func pointHEAD(of url: String) throws {
        guard LocalPath.isLocal(url) else { return }
        if let before = try BareRepository.pointHEADIfUnborn(at: url, to: exchange.branch) {
            StandardOutput.write(
                "HEAD of \(url) named the unborn branch '\(before)'; it now names '\(exchange.branch)', "
                    + "so 'git clone' checks out the exchange\n")
        }
    }
}
