import Foundation
import GitServerFixtures
import Giter
import Testing

/// `giter serve` in a real headless Chromium: the page loads, shows the
/// exchange's resources (and the files it cannot read), and follows a
/// status written while it is open — through server-sent events, without a
/// reload.
@Suite(.timeLimit(.minutes(5)), .serialized)
struct BoardServeTests {
    @Test func serveHasHelpWithExamplesAndIsListed() async throws {
        let directory = try TemporaryDirectory()
        let help = try await directory.run(["serve", "--help"])
        #expect(help.status == 0)
        for text in [
            "USAGE: giter serve", "Examples:", "Exit status:", "--listen", "--poll-interval", "--remote", "--cache",
        ] {
            #expect(help.stdout.contains(text), "serve --help lacks \(text)")
        }
        let root = try await directory.run(["--help"])
        #expect(root.stdout.contains("  serve"))
        let bad = try await directory.run(["serve", "--listen", "nowhere"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--listen must read HOST:PORT"))
    }

    /// An exchange that cannot be read at start is an error, not an empty board.
    @Test func anExchangeThatCannotBeReadIsAnError() async throws {
        let fixture = try await ExchangeFixture(initialized: false)
        let result = try await fixture.giter(["serve", "--listen", "127.0.0.1:0"])
        #expect(result.status == 1)
        #expect(result.isOneLineError, "\(result.stderr)")
    }

    /// Where the board reads the exchange from.
    enum BoardRemote: String, CaseIterable, Sendable {
        /// The bare repository's path: its ref watcher wakes the board; polls are a safety net only.
        case path
        /// The same repository through a real `git daemon` on loopback: the board polls it.
        case gitDaemon
        /// Through `git daemon`, polled every 10 minutes: a signed webhook wakes the board.
        case gitDaemonWithWebhook
    }

    static let webhookSecret = "board-test-secret"


    @Test(arguments: ToolBackend.allCases, BoardRemote.allCases)
    func thePageFollowsAStatusWrittenWhileItIsOpen(backend: ToolBackend, remote: BoardRemote) async throws {
        guard try TestRequirements.available(HeadlessChromium.unavailableReason, for: "the board in Chromium") else {
            return
        }
        // sort-1, and two files that cannot be read: one bad file never hides the rest.
        let fixture = try await BrokenFileCommandTests().brokenExchange(backend)
        try await fixture.apply(ExchangeFixture.experiment("sieve-2", namespace: "lab"))
        switch remote {
        case .path:
            let board = try await ServedBoard.start(fixture, ["--poll-interval", "10m"])
            try await checkThePage(of: board, fixture: fixture)
        case .gitDaemon, .gitDaemonWithWebhook:
            guard try TestRequirements.available(ServerKind.gitDaemon.unavailableReason, for: "git daemon") else {
                return
            }
            try fixture.write("webhook-secret", Self.webhookSecret + "\n")
            let secretFile = fixture.directory.url.appendingPathComponent("webhook-secret").path
            let webhook = remote == .gitDaemonWithWebhook
            let arguments =
                webhook ? ["--poll-interval", "10m", "--webhook-secret-file", secretFile] : ["--poll-interval", "200ms"]
            try await withStartedServer(GitDaemonServer(repositoriesURL: fixture.directory.url)) { server in
                let url = try server.url(for: "exchange")
                let board = try await ServedBoard.start(fixture, remote: url, arguments)
                try await checkThePage(of: board, fixture: fixture, webhookSecret: webhook ? Self.webhookSecret : nil)
            }
        }
    }

    /// Opens the board in Chromium, checks what it shows, writes a status
    /// (straight into the bare repository, as a consumer on this machine)
    /// and awaits it in the open page; then stops the board. With
    /// `webhookSecret`, the page then posts a signed GitHub push webhook to
    /// the board's server, which is what wakes it.
    func checkThePage(of board: ServedBoard, fixture: ExchangeFixture, webhookSecret: String? = nil) async throws {
        let browser = try HeadlessChromium()
        do {
            let session = try await browser.navigate(to: board.url + "/")
            let row = #"document.querySelector('tr[data-key="default/Experiment/sort-1"]')"#
            let ready = #"document.querySelector('tr[data-key="default/Experiment/sort-1"] td[data-column="ready"]')"#
            // Loaded and rendered on the server: both namespaces, the row, no status yet, and live.
            let loaded = try await browser.waitUntil(
                "document.documentElement.getAttribute('data-live') === 'on' && \(row) && "
                    + "document.querySelector('tr[data-key=\"lab/Experiment/sieve-2\"]') && \(ready).textContent",
                session: session
            )
            #expect(loaded == "-")
            let problems = try await browser.waitUntil(
                "document.getElementById('problems').parentNode.innerText",
                session: session
            )
            #expect(problems.contains("\(BrokenFileCommandTests.broken.repositoryPath):9:3"), "\(problems)")
            #expect(problems.contains(BrokenFileCommandTests.png.repositoryPath), "\(problems)")
            let title = try await browser.waitUntil("document.title", session: session)
            #expect(title == "Giter board")

            // A mark in the page's script state: a reload would lose it.
            _ = try await browser.waitUntil("(window.giterTestMark = 'kept')", session: session)

            try await fixture.writeStatus("sort-1")
            if let webhookSecret {
                let status = try await browser.evaluate(Self.postWebhook(secret: webhookSecret), session: session)
                #expect(status == "202")
            }

            let after = try await browser.waitUntil(
                "\(ready).textContent === 'True' && \(row).innerText",
                session: session
            )
            #expect(after.contains("Ready=True (Finished): sorted 1000 numbers"))
            // The same page, refreshed in place (not reloaded), still live.
            let kept = try await browser.waitUntil(
                "window.giterTestMark + ' ' + document.documentElement.getAttribute('data-live')",
                session: session
            )
            #expect(kept == "kept on")

            // The resource's page: spec, status and history with who wrote what.
            let detail = try await browser.navigate(to: board.url + "/resources/default/Experiment/sort-1")
            // Parsed to the end: the page arrives in parts, and a read while
            // it is still parsing finds the history's heading without its rows.
            let text = try await browser.waitUntil(
                "document.getElementById('history') && document.readyState === 'complete' && document.body.innerText",
                session: detail
            )
            #expect(text.contains("workload: sort"))
            #expect(text.contains("digest: sha256:abc123"))
            #expect(text.contains("created (generation 1)"))
            #expect(text.contains("status (observedGeneration 1, Ready=True)"))
            #expect(text.contains("Testbed <testbed@example.com>"))

            // Another site's name bound to the board's address (DNS rebinding) is refused.
            let port = board.url.split(separator: ":").last.map(String.init) ?? ""
            let rebound = try await browser.navigate(to: "http://\(HeadlessChromium.reboundHost):\(port)/")
            let refused = try await browser.waitUntil(
                "document.querySelector('h1') && document.readyState === 'complete' && document.body.innerText",
                session: rebound
            )
            #expect(refused.contains("Unknown host"), "\(refused)")
            #expect(!refused.contains("sort-1"))
        } catch {
            await browser.close()
            try await board.stop()
            throw error
        }
        await browser.close()
        let status = try await board.stop()
        let errors = await board.errors.value
        #expect(status == 0, "giter serve: \(errors)")
    }

    /// JavaScript that posts a GitHub push of `main`, signed with `secret`
    /// (HMAC-SHA256 through WebCrypto), to the page's own server, and
    /// returns the answer's status.
    static func postWebhook(secret: String) -> String {
        """
        (async function () {
          var body = JSON.stringify({ ref: "refs/heads/main" });
          var encoder = new TextEncoder();
          var key = await crypto.subtle.importKey(
            "raw", encoder.encode("\(secret)"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
          var mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
          var hex = Array.from(mac).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
          var response = await fetch("/hooks/github", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + hex,
                       "X-GitHub-Delivery": "board-test-1" },
            body: body
          });
          return String(response.status);
        })()
        """
    }
}
