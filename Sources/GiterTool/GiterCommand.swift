import ArgumentParser

/// The `giter` command: the root of the tool's subcommands.
@main
struct GiterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giter",
        abstract: "Exchange Kubernetes-style resources through a Git repository.",
        discussion: """
            Exit status: 0 on success, 1 when an input could not be read or \
            converted, 64 for a usage error.
            """,
        subcommands: [ConvertCommand.self]
    )
}
