/// The limits and text of a ``Board``.
public struct BoardConfiguration: Sendable {
    /// The page's title and first heading.
    public var title: String
    /// How many `/events` streams are open at once; one more is refused with 503.
    public var maxEventStreams: Int
    /// How long one `/events` stream lasts before the board closes it; the
    /// browser's `EventSource` then opens a new one after ``reconnectDelay``.
    public var eventStreamLifetime: Duration
    /// How often an idle stream gets a comment line, so a client that went
    /// away is noticed (the write fails) and its slot freed.
    public var heartbeatInterval: Duration
    /// The `retry:` a stream tells the browser: how long to wait before reconnecting.
    public var reconnectDelay: Duration
    /// The most rows the overview shows; the rest are counted, not shown.
    public var maxRows: Int
    /// The most bytes of a spec or status shown; a longer one is cut, and says so.
    public var maxDocumentBytes: Int
    /// The most recent history entries shown on a resource's page.
    public var maxHistoryEntries: Int
    /// The host names (or addresses) a request's `Host` may name, port
    /// aside, compared case-insensitively; any other is answered 421, so a
    /// web page whose name was rebound to this address (DNS rebinding)
    /// cannot read the board. `nil`: any host.
    public var allowedHosts: [String]?

    public init(
        title: String = "Giter board",
        maxEventStreams: Int = 32,
        eventStreamLifetime: Duration = .seconds(300),
        heartbeatInterval: Duration = .seconds(15),
        reconnectDelay: Duration = .seconds(2),
        maxRows: Int = 5_000,
        maxDocumentBytes: Int = 64 << 10,
        maxHistoryEntries: Int = 200,
        allowedHosts: [String]? = nil
    ) {
        self.title = title
        self.maxEventStreams = maxEventStreams
        self.eventStreamLifetime = eventStreamLifetime
        self.heartbeatInterval = heartbeatInterval
        self.reconnectDelay = reconnectDelay
        self.maxRows = maxRows
        self.maxDocumentBytes = maxDocumentBytes
        self.maxHistoryEntries = maxHistoryEntries
        self.allowedHosts = allowedHosts
    }

    /// The names of this machine's loopback interface: `localhost`, `127.0.0.1` and `::1`.
    public static let loopbackHosts = ["localhost", "127.0.0.1", "::1"]
}
