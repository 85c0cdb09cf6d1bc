import Crypto
import Foundation
import Giter
import GiterTesting
import Testing

@testable import GiterWebhooks

/// The board over real HTTP on loopback: pages rendered on the server with
/// every value from the exchange escaped, a strict Content-Security-Policy
/// that allows exactly the one inline script and style sheet, GET only, and
/// bounded server-sent event streams timed by a test clock.
@Suite(.timeLimit(.minutes(2)))
struct BoardTests {
    static let key = ResourceKey(namespace: "default", kind: "Experiment", name: "sort-1")
    static let hostile = #"<script>alert(1)</script>"' & <img src=x onerror=alert(2)>"#

    static func source() -> FixedBoardSource {
        let condition = Condition(
            type: "Ready",
            status: .false,
            observedGeneration: 2,
            reason: "Failed" + hostile,
            message: hostile
        )
        let row = BoardRow(key: key, generation: 3, observedGeneration: 2, conditions: [condition])
        let other = BoardRow(
            key: ResourceKey(namespace: "lab", kind: "Sieve", name: "primes"),
            generation: 1,
            observedGeneration: nil,
            conditions: []
        )
        let resource = BoardResource(
            row: row,
            revision: "0123456789abcdef0123456789abcdef01234567",
            spec: "workload: sort\nnote: \"</code></pre>\(hostile)\"\n",
            status: "observedGeneration: 2\n",
            history: [
                BoardHistoryEntry(
                    commit: "0123456789abcdef0123456789abcdef01234567",
                    time: Date(timeIntervalSince1970: 1_764_720_000),
                    author: "Eve \(hostile) <eve@example.com>",
                    party: "producer",
                    signer: "unsigned",
                    change: "created (generation 1)"
                )
            ]
        )
        return FixedBoardSource(
            overviewAnswer: BoardOverview(
                branch: "main\(hostile)",
                revision: "0123456789abcdef0123456789abcdef01234567",
                rows: [other, row],
                problems: [BoardProblem(path: "resources/default/Experiment/ab/x.yaml", message: "line 1: \(hostile)")]
            ),
            resources: [key: resource]
        )
    }

    @Test func textFromTheExchangeIsEscaped() {
        #expect(HTMLText.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(
            HTMLText.escape("a\u{0}b\u{1B}c\u{85}d\u{FFFE}e\tf\ng") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\tf\ng"
        )
        #expect(HTMLText.pathSegment("a b/é") == "a%20b%2F%C3%A9")
        let cut = HTMLText.prefix("aé", bytes: 2)
        #expect(cut.text == "a" && cut.cut)
        let whole = HTMLText.prefix("aé", bytes: 3)
        #expect(whole.text == "aé" && !whole.cut)
    }

    @Test func pagesEscapeEverythingAndAllowOnlyTheirOwnScript() async throws {
        let board = Board(source: Self.source(), updates: ChangeNotifier())
        try await withLiveBoard(board) { port in
            for path in ["/", "/resources/default/Experiment/sort-1"] {
                let page = try await LoopbackConnection.get(port: port, path)
                #expect(page.status == 200)
                #expect(page.headers["content-type"] == "text/html; charset=utf-8")
                #expect(page.headers["x-content-type-options"] == "nosniff")
                #expect(page.headers["cache-control"] == "no-store")
                #expect(page.body.hasPrefix("<!doctype html>\n<html lang=\"en\">"))
                // Nothing from the exchange becomes markup.
                #expect(!page.body.contains("alert(1)</script>"))
                #expect(!page.body.contains("<img"))
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39; &amp; &lt;img"))
                // One inline script and one style sheet, each allowed by its hash, nothing else.
                let script = try #require(Self.between("<script>", "</script>", in: page.body))
                let style = try #require(Self.between("<style>", "</style>", in: page.body))
                #expect(page.body.components(separatedBy: "<script").count == 2)
                let policy = try #require(page.headers["content-security-policy"])
                #expect(policy.hasPrefix("default-src 'none'; "))
                #expect(policy.contains("script-src 'sha256-\(Self.sha256(script))'"))
                #expect(policy.contains("style-src 'sha256-\(Self.sha256(style))'"))
                #expect(policy.contains("connect-src 'self'"))
                #expect(!policy.contains("unsafe"))
            }
            let overview = try await LoopbackConnection.get(port: port, "/")
            // By namespace and kind, with links built from the key.
            let lab = try #require(overview.body.range(of: "<h2 id=\"ns-lab\">Namespace lab</h2>"))
            let defaults = try #require(overview.body.range(of: "<h2 id=\"ns-default\">Namespace default</h2>"))
            #expect(defaults.lowerBound < lab.lowerBound)
            #expect(overview.body.contains("<caption>Experiment in default</caption>"))
            #expect(overview.body.contains("<a href=\"/resources/default/Experiment/sort-1\">sort-1</a>"))
            #expect(overview.body.contains("<td data-column=\"ready\" class=\"False\">False</td>"))
            #expect(overview.body.contains("resources/default/Experiment/ab/x.yaml"))
            let detail = try await LoopbackConnection.get(port: port, "/resources/default/Experiment/sort-1")
            #expect(detail.body.contains("&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;"))
            #expect(detail.body.contains("<dd id=\"observed-generation\">2</dd>"))
            #expect(detail.body.contains("Eve &lt;script&gt;"))
            #expect(detail.body.contains("2025-12-03T00:00:00Z"))
        }
    }

    @Test func onlyKnownResourcesAndGetAreServed() async throws {
        let board = Board(source: Self.source(), updates: ChangeNotifier())
        try await withLiveBoard(board) { port in
            let missing = try await LoopbackConnection.get(port: port, "/resources/default/Experiment/nothing")
            #expect(missing.status == 404)
            #expect(missing.body.contains("No live Experiment &quot;nothing&quot; in namespace &quot;default&quot;."))
            let invalid = try await LoopbackConnection.get(port: port, "/resources/Not_Valid/Experiment/%3Cb%3E")
            #expect(invalid.status == 404)
            #expect(!invalid.body.contains("<b>"))
            for method in ["POST", "PUT", "DELETE"] {
                let refused = try await LoopbackConnection.get(port: port, "/", method: method)
                #expect(refused.status == 404 || refused.status == 405, "\(method): \(refused.status)")
            }
            #expect(try await LoopbackConnection.get(port: port, "/healthz").status == 200)
        }
    }

    /// A page whose name was rebound to the board's address (DNS rebinding)
    /// sends its own name as `Host`: refused, on every route of the board.
    @Test func onlyTheAllowedHostNamesAreAnswered() async throws {
        let configuration = BoardConfiguration(allowedHosts: BoardConfiguration.loopbackHosts)
        let board = Board(source: Self.source(), updates: ChangeNotifier(), configuration: configuration)
        try await withLiveBoard(board) { port in
            for host in ["127.0.0.1:\(port)", "LOCALHOST:\(port)", "[::1]:\(port)", "localhost"] {
                #expect(try await LoopbackConnection.get(port: port, "/", host: host).status == 200, "\(host)")
            }
            for path in ["/", "/resources/default/Experiment/sort-1", "/events"] {
                for host in ["attacker.example:\(port)", "attacker.example", "127.0.0.1.attacker.example"] {
                    let refused = try await LoopbackConnection.get(port: port, path, host: host)
                    #expect(refused.status == 421, "\(path) for \(host)")
                    #expect(!refused.body.contains("sort-1"))
                }
            }
            #expect(board.openEventStreams == 0)
        }
        #expect(Board<FixedBoardSource>.host(of: "[::1]:8080") == "::1")
        #expect(Board<FixedBoardSource>.host(of: "example.com:80") == "example.com")
        #expect(Board<FixedBoardSource>.host(of: "::1") == "::1")
    }

    @Test func aChangeReachesAnOpenStreamWhichEndsAfterItsLifetime() async throws {
        let clock = TestClock()
        let updates = ChangeNotifier()
        let configuration = BoardConfiguration(
            maxEventStreams: 1,
            eventStreamLifetime: .seconds(300),
            heartbeatInterval: .seconds(15),
            reconnectDelay: .milliseconds(2500)
        )
        let board = Board(source: Self.source(), updates: updates, configuration: configuration, clock: clock)
        try await withLiveBoard(board) { port in
            let stream = try await LoopbackConnection(port: port, path: "/events")
            let preamble = try await stream.read(until: ": giter board\n\n")
            #expect(preamble.lowercased().contains("content-type: text/event-stream; charset=utf-8"))
            #expect(preamble.contains("retry: 2500\n"))
            #expect(board.openEventStreams == 1)
            // A second page is refused while the only slot is taken.
            let refused = try await LoopbackConnection.get(port: port, "/events")
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "30")

            updates.notify()
            _ = try await stream.read(until: "event: change\ndata: moved\n\n")
            // Heartbeat and lifetime both wait on the clock.
            try await clock.waitForSleepers(2)
            clock.advance(by: .seconds(15))
            _ = try await stream.read(until: ": heartbeat\n\n")
            try await clock.waitForSleepers(2)
            clock.advance(by: .seconds(285))
            let ended = try await stream.readToEnd()
            #expect(ended.status == 200)
            #expect(board.openEventStreams == 0)
            // The slot is free again.
            let next = try await LoopbackConnection(port: port, path: "/events")
            _ = try await next.read(until: ": giter board\n\n")
            #expect(board.openEventStreams == 1)
            // Ends at the server's graceful shutdown, not after its lifetime.
        }
        #expect(board.openEventStreams == 0)
    }

    static func between(_ start: String, _ end: String, in text: String) -> String? {
        guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex)
        else { return nil }
        return String(text[from.upperBound..<to.lowerBound])
    }

    static func sha256(_ text: String) -> String {
        Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }
}
