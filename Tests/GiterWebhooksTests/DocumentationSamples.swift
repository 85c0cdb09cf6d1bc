// The Swift sample of Documentation/Events.md, "Webhooks", verbatim, so that
// it compiles with every build (DocumentationTests checks that it is here).
// It is never run: it bootstraps the process's metrics system.

import Giter
import GiterWebhooks
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The sample's reconciler: counts a note's words.
struct NoteCounter: Reconciler {
    func reconcile(_ note: Note, context: ReconcileContext) async throws -> ReconcileResult<NoteStatus> {
        var status = note.status ?? NoteStatus()
        status.words = note.spec.text.split(separator: " ").count
        return .done(status)
    }
}

func serveNotes(store: some ResourceStore<Note>, secretFile: String, logger: Logger) async throws {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))  // the host's choice, once

    let changes = ChangeNotifier()
    let secret = try WebhookSecret(contentsOfFile: secretFile)
    let receiver = try WebhookReceiver(
        configuration: WebhookConfiguration(branch: "main", secrets: [.github: [secret], .gitlab: [secret]]),
        notifier: changes
    )
    let controller = Controller(
        store: store,
        reconciler: NoteCounter(),
        options: ControllerOptions(pollInterval: .seconds(30))
    )
    await controller.addEventSource(changes.subscribe())
    let server = receiver.application(host: "0.0.0.0", port: 8080, metrics: registry)
    let group = ServiceGroup(
        services: [controller, server],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger
    )
    try await group.run()
}

// The Swift sample of Documentation/Events.md, "The board", verbatim.
func mountBoard(
    router: Router<BasicRequestContext>,
    mySource: some BoardSource,
    boardChanges: ChangeNotifier,
    receiver: WebhookReceiver
) {
    let board = Board(source: mySource, updates: boardChanges, branch: "main")
    board.addRoutes(to: router)        // GET /, /resources/…, /events
    receiver.addRoutes(to: router)     // POST /hooks/<provider>
}
