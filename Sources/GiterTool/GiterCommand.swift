import ArgumentParser

@main
struct GiterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giter",
        abstract: "Exchange Kubernetes-style resources through a Git repository."
    )
}
