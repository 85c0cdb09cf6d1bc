import ArgumentParser
import Foundation
import GitServerFixtures
import Logging

/// `giter-soak`: the soak of Documentation/Reliability.md, "Soak".
@main
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giter-soak",
        abstract: "Run producers and consumers over real Git servers under kill -9, restarts and cut connections.",
        discussion: """
            'giter-soak run' is the driver; it starts 'giter-soak producer' and \
            'giter-soak consumer' processes (this executable again) itself. \
            Its last line is 'soak: <A> applies, <S> statuses, <K> kills, <R> \
            restarts, <D> drops, lost <L>, violations <V>, converged yes|no'; \
            it exits 0 only for lost 0, violations 0, converged yes.
            """,
        subcommands: [Run.self, ProducerCommand.self, ConsumerCommand.self, CutPushCommand.self],
        defaultSubcommand: Run.self
    )
}

extension SoakCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the soak (the driver).")

        @Option(help: "Seconds of chaos.")
        var duration = 60

        @Option(help: "The servers, comma-separated: daemon, http, ssh.")
        var servers = "daemon"

        @Option(help: "The backends, comma-separated: libgit2, git.")
        var backends = "libgit2,git"

        @Option(help: "Producer processes.")
        var producers = 3

        @Option(help: "Consumer processes.")
        var consumers = 3

        @Option(help: "Seconds the exchange has to converge after the chaos.")
        var convergeTimeout = 90

        @Option(help: "The work folder (default: a new temporary folder, removed at the end unless --keep).")
        var folder: String?

        @Flag(help: "Keep the work folder (repository, ledgers, logs).")
        var keep = false

        /// For the soak's own test: the audit gets one acknowledged apply that
        /// never happened, so it must report it lost and exit 1.
        @Flag(help: .hidden)
        var injectLostApply = false

        func validate() throws {
            guard (1...86_400).contains(duration) else { throw ValidationError("--duration must be 1 to 86400 seconds.") }
            guard (1...32).contains(producers), (1...32).contains(consumers) else {
                throw ValidationError("--producers and --consumers must be 1 to 32.")
            }
            guard (1...3600).contains(convergeTimeout) else { throw ValidationError("--converge-timeout must be 1 to 3600.") }
            _ = try serverKinds()
            _ = try backendKinds()
        }

        func serverKinds() throws -> [SoakServer.Kind] {
            let kinds = servers.split(separator: ",").map { SoakServer.Kind(rawValue: String($0)) }
            guard !kinds.isEmpty, kinds.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--servers takes daemon, http and ssh, comma-separated, not '\(servers)'.")
            }
            return kinds.compactMap { $0 }
        }

        func backendKinds() throws -> [SoakBackend] {
            let kinds = backends.split(separator: ",").map { SoakBackend(rawValue: String($0)) }
            guard !kinds.isEmpty, kinds.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--backends takes libgit2 and git, comma-separated, not '\(backends)'.")
            }
            return kinds.compactMap { $0 }
        }

        func run() async throws {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .warning
                return handler
            }
            for kind in try serverKinds() {
                if let reason = kind.fixtureKind.unavailableReason {
                    throw ValidationError("the \(kind.rawValue) server cannot run here: \(reason)")
                }
            }
            let work = folder ?? (NSTemporaryDirectory() + "giter-soak-\(UUID().uuidString.prefix(8))")
            let settings = SoakDriver.Settings(
                duration: .seconds(duration), servers: try serverKinds(), backends: try backendKinds(),
                producers: producers, consumers: consumers, convergeTimeout: .seconds(convergeTimeout),
                folder: work, executable: Self.ownExecutable(), keep: keep || folder != nil,
                injectLostApply: injectLostApply)
            let status = try await SoakDriver(settings: settings, logger: Logger(label: "soak")).run()
            if status != 0 { throw ExitCode(status) }
        }

        /// This executable's path, to start the producers and consumers with.
        static func ownExecutable() -> String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        }
    }

    struct ProducerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "producer", abstract: "A soak producer (started by 'giter-soak run').")

        @OptionGroup var options: ChildOptions

        func run() async throws {
            bootstrapChildLogging()
            do {
                try await SoakProducer(options: options, logger: Logger(label: "soak.\(options.id)")).run()
            } catch {
                FileHandle.standardError.write(Data("soak producer \(options.id) failed: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }

    struct ConsumerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "consumer", abstract: "A soak consumer (started by 'giter-soak run').")

        @OptionGroup var options: ChildOptions

        func run() async throws {
            bootstrapChildLogging()
            do {
                try await SoakConsumer(options: options, logger: Logger(label: "soak.\(options.id)")).run()
            } catch {
                FileHandle.standardError.write(Data("soak consumer \(options.id) failed: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}

/// The children log notices and worse to standard error, which the driver keeps in their folder.
private func bootstrapChildLogging() {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .notice
        return handler
    }
}
