public import Giter
import HTTPTypes
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore

/// A read-only web page of an exchange, rendered on the server: every live
/// resource by namespace and kind with its generation, observed generation,
/// `Ready` and conditions, and a page per resource with its spec, status
/// and history. A small inline script follows new commits through
/// server-sent events; without it, reloading does the same.
///
/// Routes, all `GET`:
/// - `/`: the overview.
/// - `/resources/<namespace>/<kind>/<name>`: a resource's page (404 when absent).
/// - `/events`: `text/event-stream`, one `change` event each time ``updates``
///   is notified, a comment every ``BoardConfiguration/heartbeatInterval``;
///   at most ``BoardConfiguration/maxEventStreams`` at once (503 beyond), each
///   closed after ``BoardConfiguration/eventStreamLifetime``.
///
/// With ``BoardConfiguration/allowedHosts``, a request whose `Host` is not
/// one of them gets 421 on every route (against DNS rebinding).
///
/// Whoever keeps ``source`` up to date calls `updates.notify()` when what it
/// shows moved (the `giter serve` command does after each fetch that
/// brought commits). Every page carries a strict Content-Security-Policy: the
/// one inline script and style sheet, allowed by hash, and nothing else.
///
/// ```swift
/// let board = Board(source: mySource, updates: changes)
/// board.addRoutes(to: router)   // beside a WebhookReceiver's, in a host app's router
/// ```
public struct Board<Source: BoardSource>: Sendable {
    public let source: Source
    /// Notified when what ``source`` shows moved; each open `/events` stream then sends `change`.
    public let updates: ChangeNotifier
    public let configuration: BoardConfiguration
    /// The branch shown on resource pages.
    public let branch: String
    let clock: any Clock<Duration>
    let streams: EventStreamSlots
    let logger: Logger

    /// A board of `source`.
    ///
    /// - Parameters:
    ///   - branch: the exchange's branch, as the pages name it.
    ///   - clock: what times the streams' heartbeats and lifetimes (a test clock in tests).
    public init(
        source: Source,
        updates: ChangeNotifier,
        branch: String = "main",
        configuration: BoardConfiguration = BoardConfiguration(),
        clock: some Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "giter.board")
    ) {
        self.source = source
        self.updates = updates
        self.branch = branch
        self.configuration = configuration
        self.clock = clock
        self.streams = EventStreamSlots(limit: configuration.maxEventStreams)
        self.logger = logger
    }

    /// The number of `/events` streams open now.
    public var openEventStreams: Int { streams.open }

    /// Adds the board's `GET` routes to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ in
            guard accepts(authority: request.head.authority) else { return misdirected() }
            return await overviewResponse()
        }
        router.get("/resources/:namespace/:kind/:name") { request, context in
            guard accepts(authority: request.head.authority) else { return misdirected() }
            return await resourceResponse(
                namespace: context.parameters.get("namespace") ?? "",
                kind: context.parameters.get("kind") ?? "",
                name: context.parameters.get("name") ?? ""
            )
        }
        router.get("/events") { request, _ in
            guard accepts(authority: request.head.authority) else { return misdirected() }
            return eventsResponse()
        }
    }

    /// An HTTP server of the board alone, or with a webhook receiver's
    /// routes and `/healthz` beside it: a swift-service-lifecycle `Service`.
    ///
    /// - Parameters:
    ///   - receiver: webhooks to accept on the same server; nil for none.
    ///   - onServerRunning: called with the bound port once the server listens.
    public func application(
        address: BindAddress,
        receiver: WebhookReceiver? = nil,
        onServerRunning: @escaping @Sendable (Int?) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        addRoutes(to: router)
        receiver?.addRoutes(to: router)
        MonitoringRoutes.add(to: router, registry: nil)
        return Application(
            router: router,
            server: .http1(
                configuration: HTTP1Channel.Configuration(idleTimeout: .seconds(WebhookReceiver.idleTimeoutSeconds))
            ),
            configuration: ApplicationConfiguration(address: address, serverName: "giter-board"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
            logger: logger
        )
    }

    func overviewResponse() async -> Response {
        do {
            let overview = try await source.overview()
            return Self.page(.ok, BoardPage.overview(overview, configuration: configuration))
        } catch {
            logger.warning("board: cannot read the exchange: \(error)")
            return unavailable(error)
        }
    }

    func resourceResponse(namespace: String, kind: String, name: String) async -> Response {
        let key = ResourceKey(namespace: namespace, kind: kind, name: name)
        let notFound = Self.page(
            .notFound,
            BoardPage.message(
                title: "Not found",
                text: "No live \(kind) \"\(name)\" in namespace \"\(namespace)\".",
                configuration: configuration
            )
        )
        do throws(ValidationErrors) {
            try key.validate()
        } catch {
            return notFound
        }
        do {
            guard let resource = try await source.resource(key) else { return notFound }
            return Self.page(.ok, BoardPage.resource(resource, branch: branch, configuration: configuration))
        } catch {
            logger.warning("board: cannot read \(key): \(error)")
            return unavailable(error)
        }
    }

    /// Whether a request's `Host` (`authority`) names the board: any, or one
    /// of ``BoardConfiguration/allowedHosts``, port aside.
    func accepts(authority: String?) -> Bool {
        guard let allowed = configuration.allowedHosts else { return true }
        guard let authority else { return false }
        let host = Self.host(of: authority).lowercased()
        return allowed.contains { $0.lowercased() == host }
    }

    /// The host of `host[:port]` or `[v6-address][:port]`.
    static func host(of authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon])
        }
        return authority
    }

    private func misdirected() -> Response {
        Self.page(
            .misdirectedRequest,
            BoardPage.message(
                title: "Unknown host",
                text: "This board answers only to the names it was given; open it by one of them.",
                configuration: configuration
            )
        )
    }

    private func unavailable(_ error: any Error) -> Response {
        Self.page(
            .serviceUnavailable,
            BoardPage.message(
                title: "Cannot read the exchange",
                text: "\(error). Reload the page to try again.",
                configuration: configuration
            )
        )
    }

    /// The headers of every page: HTML, the policy, no caching, no sniffing, no referrer.
    static func page(_ status: HTTPResponse.Status, _ html: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = BoardAssets.policy
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
