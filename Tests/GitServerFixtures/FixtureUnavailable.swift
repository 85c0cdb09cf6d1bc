/// A fixture cannot run on this machine because something it needs is missing,
/// for example the `lighttpd` or `sshd` binary.
///
/// Tests should turn this into a visible skip (see ``ServerAvailability``), never
/// into a silent pass.
public struct FixtureUnavailable: Error, CustomStringConvertible, Sendable {
    /// What is missing and how to install it.
    public var reason: String

    /// Creates the error with a human-readable reason.
    public init(reason: String) {
        self.reason = reason
    }

    public var description: String {
        "fixture unavailable: \(reason)"
    }
}
