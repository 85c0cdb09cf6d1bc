/// A fixture failed while it was expected to work: a command exited with an
/// error, a server did not come up, or a fixture was used in the wrong state.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, including the output of the failing command or server log.
    public var message: String

    /// Creates the error with a message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String {
        message
    }
}
