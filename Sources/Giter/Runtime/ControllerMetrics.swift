import Metrics

/// The controller's metrics, labelled with the resource kind.
struct ControllerMetrics: Sendable {
    let reconciles: Counter
    let failures: Counter
    let terminalFailures: Counter
    let duration: Metrics.Timer
    let depth: Gauge
    let syncErrors: Counter
    let unreadable: Counter
    let statusWriteErrors: Counter

    init(kind: String) {
        let dimensions = [("kind", kind)]
        reconciles = Counter(label: "giter_reconciles_total", dimensions: dimensions)
        failures = Counter(label: "giter_reconcile_errors_total", dimensions: dimensions)
        terminalFailures = Counter(label: "giter_reconcile_terminal_errors_total", dimensions: dimensions)
        duration = Metrics.Timer(label: "giter_reconcile_duration", dimensions: dimensions)
        depth = Gauge(label: "giter_queue_depth", dimensions: dimensions)
        syncErrors = Counter(label: "giter_sync_errors_total", dimensions: dimensions)
        unreadable = Counter(label: "giter_unreadable_resources_total", dimensions: dimensions)
        statusWriteErrors = Counter(label: "giter_status_write_errors_total", dimensions: dimensions)
    }
}
