/// The trailers Giter writes on every commit, so that `git log` reads as the
/// audit trail:
///
/// ```
/// Giter-Role: producer
/// Giter-Apply: default/Experiment/sha-chain-1 generation=2
/// Giter-Status: default/Experiment/sort-3 observedGeneration=1
/// Giter-Archive: default/Experiment/sieve-2
/// Giter-Delete: default/Experiment/sieve-9
/// Giter-Traceparent: default/Experiment/sha-chain-1 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
/// Giter-Lease: consumer generation=3
/// ```
public enum CommitTrailers {
    /// The role the writer claims.
    public static let role = "Giter-Role"
    /// A spec written, with the generation it now has.
    public static let apply = "Giter-Apply"
    /// A status written, with the generation it describes.
    public static let status = "Giter-Status"
    /// A resource moved under `archive/`.
    public static let archive = "Giter-Archive"
    /// A resource deleted.
    public static let delete = "Giter-Delete"
    /// The trace context of a resource's span, as a W3C `traceparent`
    /// after the key: one per key the commit writes, only while a tracer
    /// records (see ``TraceParent`` and `Documentation/Tracing.md`).
    /// Readers take it as a hint for the trace and for nothing else.
    public static let traceparent = "Giter-Traceparent"
    /// The fencing token of the lease the writer held: `<lease> generation=<n>`
    /// (see ``FencingToken``).
    public static let lease = "Giter-Lease"
}
