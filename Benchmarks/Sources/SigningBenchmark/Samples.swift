/// Timings of one thing, in seconds, with the statistics the report prints.
struct Samples: Sendable {
    private(set) var values: [Double] = []

    init(_ values: [Double] = []) {
        self.values = values
    }

    mutating func append(_ value: Double) {
        values.append(value)
    }

    var isEmpty: Bool { values.isEmpty }
    var count: Int { values.count }

    /// The middle value; the mean of the middle two for an even count.
    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The nearest-rank percentile, `fraction` in 0...1.
    func percentile(_ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    var minimum: Double { values.min() ?? .nan }
    var maximum: Double { values.max() ?? .nan }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

/// Runs `body` and returns how long it took, in seconds, with its result.
func timed<T>(_ body: () async throws -> T) async rethrows -> (seconds: Double, result: T) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try await body()
    return (start.duration(to: clock.now).seconds, result)
}

/// Runs the synchronous `body` and returns how long it took, in seconds, with its result.
func timedSync<T>(_ body: () throws -> T) rethrows -> (seconds: Double, result: T) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    return (start.duration(to: clock.now).seconds, result)
}
