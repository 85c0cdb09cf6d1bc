import ArgumentParser
import Giter

/// `giter bundle export|import`: the exchange across an air gap, as Git
/// bundle files.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Carry the exchange between sites that share no network, as bundle files.",
        discussion: """
            Each site keeps the exchange in its own repository (--remote). \
            'giter bundle export --for SITE' writes what SITE has not \
            acknowledged yet into a Git bundle file; 'giter bundle import' \
            at SITE checks the file (its commits by the contract and their \
            signatures, its pack by the backend) before it moves the \
            exchange branch, then records how far the sender has the branch \
            (refs/giter/acks/<sender>), so the next export for the sender \
            holds only the commits after it. See Documentation/Bundles.md.

            Exit status: 0 on success; 1 when the bundle cannot be written \
            or is refused (malformed, damaged, replayed, missing an earlier \
            bundle, breaking the contract, or this site has commits the \
            sender has not received: export them first); 64 for a usage error.

            Examples:
              giter bundle export --remote /srv/git/lab.git --site lab --for field -o to-field.bundle
              giter bundle import --remote /srv/field/lab.git to-field.bundle
            """,
        subcommands: [BundleExportCommand.self, BundleImportCommand.self]
    )
}

/// `giter bundle export --for SITE -o FILE [--site NAME]`.
struct BundleExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write what another site has not acknowledged into a bundle file.",
        discussion: """
            Holds the commits of the exchange branch after the last one SITE \
            acknowledged (refs/giter/acks/SITE in this site's repository), or \
            the whole branch the first time. --site names this site; it is \
            needed on the first export and remembered in the mirror (--cache) \
            afterwards. The file is written through a temporary file and \
            renamed into place, so it is whole or absent. Prints \
            'wrote FILE: N commits for SITE (TIP)'.
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Option(name: .customLong("for"), help: ArgumentHelp("The site the bundle is for.", valueName: "site"))
    var receiver: String

    @Option(name: .long, help: ArgumentHelp("This site's name (needed the first time).", valueName: "name"))
    var site: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The bundle file to write ('-': standard output).", valueName: "file"))
    var output: String

    func run() async throws {
        try await ErrorReporting.run {
            let opened = try await Exchange.open(exchange)
            let export = try await ExchangeBundle(transport: opened.transport).export(for: receiver, site: site)
            do {
                try OutputFile.write(export.bytes, to: output)
            } catch {
                throw ToolError("\(output): \(error)")
            }
            let base = export.base.map { " after \($0.short)" } ?? " (the whole branch)"
            let summary = "wrote \(output): \(export.commits) commit(s)\(base) for \(receiver), up to \(export.tip.short)\n"
            if output == "-" { StandardError.write(summary) } else { StandardOutput.write(summary) }
        }
    }
}

/// `giter bundle import FILE`.
struct BundleImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Check a bundle file from another site and bring its commits in.",
        discussion: """
            Refuses, changing nothing, a file that is not a bundle, is \
            truncated or damaged, was imported before, builds on a bundle \
            not imported here, or holds a commit the contract refuses; and \
            rebases this site's own commits that the sender has not received \
            on top of the bundle's, signed again with --signing-key (a status \
            for a resource the sender archived or deleted meanwhile is \
            dropped and reported; changes to .giter/ on both sides stop the \
            import: a person must settle them). Importing into an empty bare \
            repository creates the exchange there. Prints \
            'imported N commits from SITE: OLD..NEW'.
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("The bundle file ('-': standard input).", valueName: "file"))
    var file: String

    func run() async throws {
        try await ErrorReporting.run {
            let bytes: [UInt8]
            do {
                bytes = try InputFile.read(file, maxBytes: ExchangeBundle.maximumSize)
            } catch {
                throw ToolError("\(file): \(error)")
            }
            let opened = try await Exchange.open(exchange)
            let result = try await ExchangeBundle(transport: opened.transport, signer: opened.signer).importBundle(bytes)
            let range = "\(result.old?.short ?? "(new exchange)")..\(result.new.short)"
            StandardOutput.write("imported \(result.commits) commit(s) from \(result.sender): \(range)\n")
            if result.old == nil, LocalPath.isLocal(opened.url) {
                // The import created the exchange: a plain `git clone` of the repository checks it out.
                _ = try BareRepository.pointHEADIfUnborn(at: LocalPath.stripFileScheme(opened.url), to: opened.branch)
            }
            if let rebase = result.rebase {
                StandardOutput.write(
                    "rebased \(rebase.rewritten.count) commit(s) of this site on top of them (\(result.sender) has not "
                        + "received those yet: export for it)\n")
                for line in rebase.dropped { StandardOutput.write("dropped \(line)\n") }
            }
            if !result.acknowledgementRecorded {
                StandardError.write(
                    "note: another import moved refs/giter/acks/\(result.sender) meanwhile; the next export for "
                        + "\(result.sender) may hold commits it already has\n")
            }
        }
    }
}
