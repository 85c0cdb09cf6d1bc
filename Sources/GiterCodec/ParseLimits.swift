/// Bounds that keep parsing safe on hostile input.
///
/// Exceeding a limit is a ``CodecError`` with code ``CodecError/Code/limitExceeded``,
/// never a crash. The defaults are far above what any resource needs.
public struct ParseLimits: Sendable, Hashable {
    /// The deepest nesting of sequences and mappings accepted. Default 128.
    public var maxDepth: Int
    /// The largest input accepted, in bytes. Default 64 MiB. Inputs of
    /// 256 MiB or more are rejected whatever this says.
    public var maxInputBytes: Int
    /// The most documents accepted in one YAML stream. Default 100,000.
    public var maxDocuments: Int

    public init(maxDepth: Int = 128, maxInputBytes: Int = 64 << 20, maxDocuments: Int = 100_000) {
        self.maxDepth = maxDepth
        self.maxInputBytes = maxInputBytes
        self.maxDocuments = maxDocuments
    }

    /// The default limits.
    public static var `default`: ParseLimits { ParseLimits() }
}
