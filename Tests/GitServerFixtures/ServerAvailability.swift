public import Testing

/// Swift Testing traits that skip a test, with a visible message, when the
/// server binaries it needs are not installed.
///
/// Under ``TestRequirements/isStrict`` (CI) the test always runs, so a
/// missing server fails it with the fixture's own error instead of skipping.
///
/// ```swift
/// @Test(ServerAvailability.enabled(.ssh))
/// func pushOverSSH() async throws { ... }
/// ```
public enum ServerAvailability {
    /// Enables the test only when the binaries for `kind` are installed; the
    /// skip message names what is missing and its Debian package.
    public static func enabled(_ kind: ServerKind, sourceLocation: SourceLocation = #_sourceLocation) -> ConditionTrait {
        condition([kind], sourceLocation: sourceLocation)
    }

    /// Enables the test only when the binaries for every kind given are
    /// installed.
    public static func enabled(
        _ first: ServerKind,
        _ others: ServerKind...,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ConditionTrait {
        condition([first] + others, sourceLocation: sourceLocation)
    }

    private static func condition(_ kinds: [ServerKind], sourceLocation: SourceLocation) -> ConditionTrait {
        let reasons = TestRequirements.isStrict ? [] : kinds.compactMap(\.unavailableReason)
        let comment: Comment? = reasons.isEmpty ? nil : Comment(rawValue: reasons.joined(separator: "; "))
        return .enabled(if: reasons.isEmpty, comment, sourceLocation: sourceLocation)
    }
}
