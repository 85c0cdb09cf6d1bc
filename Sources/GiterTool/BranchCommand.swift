import ArgumentParser
import Foundation
import Giter

/// `giter branch list|start|archive|collect`: exchanges kept on branches of
/// their own (``ExchangeBranches``).
struct BranchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch",
        abstract: "Keep each exchange group on its own branch: list, start, archive and collect them.",
        discussion: """
            An exchange group (one resource, or a group you name) can live on \
            a branch of its own, giter/x/<group>, started from a commit of the \
            main branch (--branch) that holds the contract. Every other \
            command works on it with --group <group>. Archiving moves the \
            branch to refs/giter/archive/<group>; 'collect' deletes old \
            archives. The guard refuses an exchange branch that does not \
            start on the main branch, any rewrite or merge on it, and a \
            deletion without archive. See Documentation/ExchangeBranches.md.

            Exit status: 0 on success; 1 when the remote or the guard refuses; \
            64 for a usage error.

            Examples:
              giter branch start --remote /srv/git/lab.git lab.Experiment.exp-1
              giter apply --remote /srv/git/lab.git --group lab.Experiment.exp-1 -f exp-1.yaml
              giter branch list --remote /srv/git/lab.git
              giter branch archive --remote /srv/git/lab.git lab.Experiment.exp-1
              giter branch collect --remote /srv/git/lab.git --older-than 720h
            """,
        subcommands: [BranchListCommand.self, BranchStartCommand.self, BranchArchiveCommand.self, BranchCollectCommand.self]
    )

    /// The exchange branches beside `--branch`, over the main branch's mirror.
    static func branches(_ options: ExchangeOptions) async throws -> ExchangeBranches {
        guard options.group == nil else {
            throw ToolError.usage("'giter branch' works from the main branch: name the group as an argument, not with --group")
        }
        let opened = try await Exchange.open(options)
        let configuration = opened.transport.configuration
        let backend = options.backend
        return ExchangeBranches(main: opened.transport) { branch in
            var own = configuration
            own.branch = branch
            return try await backend.open(own)
        }
    }
}

/// `giter branch list`.
struct BranchListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the live and archived exchange branches, from one listing of the remote's refs.",
        discussion: "Prints one line per group, '<group> live|archived <commit>', sorted by group."
    )

    @OptionGroup var exchange: ExchangeOptions

    func run() async throws {
        try await ErrorReporting.run {
            let listing = try await BranchCommand.branches(exchange).list()
            var lines: [String] = []
            for (group, tip) in listing.live.sorted(by: { $0.key < $1.key }) { lines.append("\(group) live \(tip.hex)\n") }
            for (group, tip) in listing.archived.sorted(by: { $0.key < $1.key }) {
                lines.append("\(group) archived \(tip.hex)\n")
            }
            StandardOutput.write(lines.joined())
            for name in listing.ignored {
                StandardError.write("giter: ignored \(name): not a valid exchange group name\n")
            }
        }
    }
}

/// `giter branch start GROUP`.
struct BranchStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start an exchange group's branch at the main branch's tip.",
        discussion: "Leaves a branch that exists as it is. Prints 'started <group> at <commit>' (or 'live')."
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("The group: 1-200 letters, digits, '.', '_', '-'.", valueName: "group"))
    var group: String

    func run() async throws {
        try await ErrorReporting.run {
            let group = try exchange.exchangeGroup(self.group)
            let tip = try await BranchCommand.branches(exchange).start(group)
            StandardOutput.write("started \(group) at \(tip.hex) (branch \(group.branch))\n")
        }
    }
}

/// `giter branch archive GROUP`.
struct BranchArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Move an exchange group's branch under refs/giter/archive/.",
        discussion: """
            Points refs/giter/archive/<group> at the branch's tip, then deletes \
            the branch; run again after an interruption to finish. Prints \
            'archived <group> at <commit>', or 'no live branch for <group>'.
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("The group.", valueName: "group"))
    var group: String

    func run() async throws {
        try await ErrorReporting.run {
            let group = try exchange.exchangeGroup(self.group)
            if let tip = try await BranchCommand.branches(exchange).archive(group) {
                StandardOutput.write("archived \(group) at \(tip.hex)\n")
            } else {
                StandardOutput.write("no live branch for \(group)\n")
            }
        }
    }
}

/// `giter branch collect --older-than D`.
struct BranchCollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Delete the archived exchange branches whose last commit is older than a duration.",
        discussion: "Prints 'deleted <group>' for each. History on the main branch is untouched."
    )

    @OptionGroup var exchange: ExchangeOptions

    @Option(
        name: .long,
        help: ArgumentHelp("How old an archive's last commit must be, such as 720h or 90m.", valueName: "duration"))
    var olderThan: DurationArgument

    func run() async throws {
        try await ErrorReporting.run {
            let retention = BranchRetention(deleteArchivedAfter: olderThan.duration)
            for group in try await BranchCommand.branches(exchange).collect(retention) {
                StandardOutput.write("deleted \(group)\n")
            }
        }
    }
}
