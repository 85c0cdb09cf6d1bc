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
    /// The status of one resource could not be written (`reason`); it is
    /// tried again after `retryAfter` (``ControllerOptions/errorBackoff``),
    /// for this resource only: the other statuses are written meanwhile.
    /// Metric: `giter_status_write_errors_total`.
    case statusNotWritten(ResourceKey, reason: String, retryAfter: Duration)
}
