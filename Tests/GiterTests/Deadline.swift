import GitServerFixtures
import Testing

/// `GitServerFixtures.withDeadline`, the one home of the rule, for the
/// files of this target that do not import the fixtures.
func withDeadline<T: Sendable>(
    _ limit: Duration = .seconds(60), sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await GitServerFixtures.withDeadline(limit, sourceLocation: sourceLocation, work)
}
