import ArgumentParser

/// `giter guard`: the server side of the contract, as a `pre-receive` hook.
struct GuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Check every push on the server, in a pre-receive hook.",
        discussion: """
            'giter guard install --repository PATH' writes a pre-receive hook into \
            a bare repository on this machine; git then runs 'giter guard \
            pre-receive' for every push, which reads the pushed commits while they \
            are still in quarantine and refuses the whole push when one breaks the \
            exchange's contract (see Documentation/Contract.md, "The server guard").
            """,
        subcommands: [GuardInstallCommand.self, GuardPreReceiveCommand.self]
    )
}
