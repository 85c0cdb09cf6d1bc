import ArgumentParser
import Giter

/// `giter delete KIND/NAME...`: deletes resources.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete resources, live or archived.",
        discussion: """
            Deletes each resource named (KIND/NAME..., or KIND NAME...), as the \
            producer, in one commit per kind: the live file, or the archived \
            one when the resource is archived. Git history keeps every \
            version; 'giter history' still shows them. Prints KIND/NAME \
            deleted for each.

            Exit status: 0 when every resource was deleted, 1 when one does \
            not exist or the write failed, 64 for a usage error.

            Examples:
              giter delete Experiment/sort-1
              giter delete experiments sort-1 sieve-2 -n lab
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("KIND/NAME..., or KIND NAME...", valueName: "resources"))
    var resources: [String] = []

    func validate() throws { _ = try ResourceReference.parse(resources) }

    func run() async throws {
        try await ErrorReporting.run {
            try await RemovalRunner(exchange: exchange, arguments: resources, verb: "deleted") { .delete($0) }.run()
        }
    }
}
