import ArgumentParser
import Foundation
import Giter
import GiterWebhooks
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `giter serve --listen HOST:PORT`: a live, read-only web page of the exchange.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a live, read-only web page of the exchange.",
        discussion: """
            Serves, on HOST:PORT, a page of every live resource by namespace \
            and kind, with its generation, observed generation, Ready and \
            conditions, and a page per resource with its spec, status and \
            history (who wrote each commit, when, and who signed it). The \
            pages are rendered on the server and work without JavaScript; a \
            small script follows new commits through server-sent events \
            (GET /events). Only GET is served. The exchange is fetched at \
            every --poll-interval, at once when the ref of a repository on \
            this machine moves, and at each verified webhook when \
            --webhook-secret-file is given (POST /hooks/<provider> on the \
            same address). GET /healthz answers ok. On a loopback address \
            the board answers only requests whose Host names this machine's \
            loopback (or an --allowed-host), so no other web site can read it \
            through DNS rebinding.

            Once listening, prints the board's URL on standard output. Stops \
            on SIGINT or SIGTERM.

            Exit status: 0 when stopped, 1 when the exchange cannot be read at \
            start or the address cannot be listened on, 64 for a usage error.

            Examples:
              giter serve --listen 127.0.0.1:8080
              giter serve --listen '[::1]:8080' --remote https://git.example.com/lab.git --poll-interval 30s \\
                --webhook-secret-file /etc/giter/webhook-secret
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Where to listen, HOST:PORT ([::1]:8080 for IPv6; port 0 for any).", valueName: "host:port")
    )
    var listen: String = "127.0.0.1:8080"

    @Option(name: .long, help: ArgumentHelp("How often to fetch the exchange (e.g. 5s, 1m).", valueName: "duration"))
    var pollInterval = DurationArgument(.seconds(5), text: "5s")

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A file holding a webhook secret: also accept signed webhooks as hints to fetch (repeatable).",
            valueName: "file"
        )
    )
    var webhookSecretFile: [String] = []

    @Option(name: .long, help: ArgumentHelp("The most recent commits a resource's page shows.", valueName: "count"))
    var historyLimit: Int = 200

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A host name the board may be opened by (its Host header), beside the listening address and, "
                + "on loopback, localhost (repeatable; for a proxy's or this machine's name).",
            valueName: "name"
        )
    )
    var allowedHost: [String] = []

    func validate() throws {
        _ = try Self.address(listen)
        guard pollInterval.duration > .zero else { throw ValidationError("--poll-interval must be more than 0") }
        guard historyLimit >= 1 else { throw ValidationError("--history-limit must be at least 1") }
    }

    func run() async throws {
        try await ErrorReporting.run {
            let opened = try await Exchange.open(exchange)
            let logger = Logger(label: "giter.serve")
            let source = ExchangeBoardSource(exchange: opened, historyLimit: historyLimit)
            _ = try await source.update()
            let hints = ChangeNotifier()
            let updates = ChangeNotifier()
            let board = Board(
                source: source,
                updates: updates,
                branch: opened.branch,
                configuration: BoardConfiguration(
                    maxHistoryEntries: historyLimit,
                    allowedHosts: try Self.allowedHosts(listen: listen, given: allowedHost)
                )
            )
            let receiver = try webhookReceiver(branch: opened.branch, hints: hints, logger: logger)
            let (host, _) = try Self.address(listen)
            let url = opened.url
            let server = board.application(
                address: try Self.bindAddress(listen),
                receiver: receiver,
                onServerRunning: { port in
                    let shownHost = host.contains(":") ? "[\(host)]" : host
                    StandardOutput.write("serving the board of \(url) on http://\(shownHost):\(port ?? 0)/\n")
                }
            )
            let refresher = BoardRefresher(
                source: source,
                hints: hints,
                updates: updates,
                pollInterval: pollInterval.duration,
                localRemote: opened.transport.localRemote,
                logger: logger
            )
            let group = ServiceGroup(
                services: [server, refresher],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
            do {
                try await group.run()
            } catch {
                throw ToolError("cannot serve on \(listen): \(error); choose another --listen address")
            }
        }
    }

    /// The webhook receiver posting into `hints`, accepting every secret of
    /// `--webhook-secret-file` from every provider (`generic` only for
    /// Standard Webhooks `whsec_` secrets), as the examples' does; nil without secrets.
    private func webhookReceiver(branch: String, hints: ChangeNotifier, logger: Logger) throws -> WebhookReceiver? {
        guard !webhookSecretFile.isEmpty else { return nil }
        let secrets: [WebhookSecret]
        do {
            secrets = try webhookSecretFile.map { try WebhookSecret(contentsOfFile: LocalPath.absolute($0)) }
        } catch {
            throw ToolError("cannot use the webhook secret: \(error)")
        }
        var configuration = WebhookConfiguration(
            branch: branch,
            secrets: secrets,
            providers: WebhookProvider.allCases.filter { $0 != .generic }
        )
        let standard = secrets.filter(\.isStandardWebhooksSecret)
        if !standard.isEmpty { configuration.secrets[.generic] = standard }
        return try WebhookReceiver(configuration: configuration, notifier: hints, logger: logger)
    }

    /// `HOST:PORT` as its host (brackets removed) and port.
    static func address(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ValidationError("--listen must read HOST:PORT, not '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must read HOST:PORT with a port up to 65535, not '\(text)'")
        }
        return (host, port)
    }

    /// The names the board answers to: on a loopback address, the loopback
    /// names and the given ones; on any other address, the given ones and
    /// the address itself, or any name when none is given (the board is
    /// meant to be reached by this machine's names).
    static func allowedHosts(listen: String, given: [String]) throws -> [String]? {
        let (host, _) = try address(listen)
        let loopback = BoardConfiguration.loopbackHosts.contains(host.lowercased()) || host.hasPrefix("127.")
        if loopback { return BoardConfiguration.loopbackHosts + [host] + given }
        return given.isEmpty ? nil : [host] + given
    }

    static func bindAddress(_ text: String) throws -> BindAddress {
        let (host, port) = try address(text)
        return .hostname(host, port: port)
    }
}
