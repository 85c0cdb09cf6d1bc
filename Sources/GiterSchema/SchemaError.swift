public import GiterCodec

/// A CustomResourceDefinition document that Giter cannot use: not a CRD,
/// malformed, or with a schema that is not structural.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    /// The repository path of the definition's file.
    public var file: String
    /// Where the problem is, when the document was read from text.
    public var location: SourceLocation?
    /// What is wrong and what to do.
    public var message: String

    public init(file: String, location: SourceLocation?, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message` (`FILE: message` without a location).
    public var description: String {
        if let location { return "\(file):\(location.line):\(location.column): \(message)" }
        return "\(file): \(message)"
    }
}
