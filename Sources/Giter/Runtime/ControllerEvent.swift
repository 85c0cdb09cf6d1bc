/// Something a running ``Controller`` noticed that a host app may want to
/// act on; see ``ControllerOptions/eventHandler``. Each is also logged and
/// counted in a metric.
public enum ControllerEvent: Sendable, Hashable {
    /// A resource file that cannot be read at all (not YAML, not one
    /// mapping, over the size limit, a symbolic link or a gitlink).
    /// Reported once per version of the file (and again by a controller
    /// that starts); the controller writes nothing into it and reconciles
    /// every other resource. When its producer replaces the file with one
    /// that reads, the resource is reconciled as usual. Metric:
    /// `giter_unreadable_resources_total`.
    case unreadableResource(UnreadableResource)
    /// A resource file that reads as YAML but not as the resource type: the
    /// controller publishes a status with `Ready=False` and
    /// `Stalled=True`, reason `InvalidSpec`, saying why.
    case invalidResource(InvalidResource)
    /// The status of a resource was not written because the write of its
    /// whole batch failed (`reason`: a transport error, a branch that stays
    /// locked, a push that kept losing); it is written again, with the
    /// others of the batch, after `retryAfter`
    /// (``ControllerOptions/errorBackoff``, growing with each batch that
    /// fails in a row). One event per status of the batch. A status's own
    /// failure never holds the others: see ``Controller``. Metric:
    /// `giter_status_write_errors_total` (one per batch that failed).
    case statusNotWritten(ResourceKey, reason: String, retryAfter: Duration)
}
