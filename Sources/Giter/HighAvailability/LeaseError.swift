/// A lease that cannot be read or written.
public struct LeaseError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case unreadable, invalidArgument, refused
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The lease ref points at something that is not a lease record.
        public static let unreadable = Code(.unreadable)
        /// An option is out of range (a holder name, a duration).
        public static let invalidArgument = Code(.invalidArgument)
        /// The server refused the lease push (a hook, a policy).
        public static let refused = Code(.refused)

        public var description: String {
            switch value {
            case .unreadable: "unreadable lease"
            case .invalidArgument: "invalid argument"
            case .refused: "lease push refused"
            }
        }
    }

    public var code: Code
    /// What happened and what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
