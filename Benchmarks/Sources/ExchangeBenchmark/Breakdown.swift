/// The parts of a round trip, in order; together they tile it from the
/// start of `apply` to the return of `wait`.
enum Segment: Int, CaseIterable, Sendable {
    case applyPush
    case consumerDetect
    case consumerRead
    case reconcile
    case statusWindow
    case statusCommit
    case statusPush
    case producerDetect
    case producerRead

    var name: String {
        switch self {
        case .applyPush: "producer apply: refresh, plan, commit, push"
        case .consumerDetect: "consumer detects the push"
        case .consumerRead: "consumer fetch, check, diff, decode, queue"
        case .reconcile: "reconcile"
        case .statusWindow: "status write window + refresh"
        case .statusCommit: "status commit (createCommit)"
        case .statusPush: "status push"
        case .producerDetect: "producer detects the status"
        case .producerRead: "producer fetch, check, decode"
        }
    }

    /// The side whose Transport calls are listed for this part.
    var side: Timeline.Side {
        switch self {
        case .applyPush, .producerDetect, .producerRead: .producer
        default: .consumer
        }
    }
}

/// One round trip cut into segments, with the Transport calls made in each.
struct RoundTripParts: Sendable {
    /// Nanoseconds per segment.
    var durations: [Segment: UInt64]
    /// Per segment, the time in each kind of call of the segment's side (clipped to the segment), and their count.
    var calls: [Segment: [Timeline.Operation: (nanoseconds: UInt64, count: Int)]]
    /// From the end of the producer's push to the return of `apply` (its view advancing over its own commit).
    var applyAfterPush: UInt64
}

/// Cuts a round trip into segments, from the events recorded during it;
/// `nil` when a landmark is missing.
func cut(_ trip: RoundTrip, events: [Timeline.Event]) -> RoundTripParts? {
    let inside = events.filter { $0.end >= trip.start && $0.start <= trip.end }
    func first(
        _ side: Timeline.Side,
        _ operations: Set<Timeline.Operation>,
        after time: UInt64,
        where condition: (Timeline.Event) -> Bool = { _ in true }
    ) -> Timeline.Event? {
        inside.filter { $0.side == side && operations.contains($0.operation) && $0.start >= time && condition($0) }
            .min { $0.end < $1.end }
    }
    guard let push = first(.producer, [.push], after: trip.start, where: { $0.commit != nil }),
        let specCommit = push.commit,
        // The first look of the consumer's that returned the new tip (it may
        // have started just before the push ended).
        let seen = inside.filter({
            $0.side == .consumer && ($0.operation == .remoteTip || $0.operation == .fetch) && $0.commit == specCommit
        }).min(by: { $0.end < $1.end }),
        let reconcile = first(.consumer, [.reconcile], after: seen.start),
        let statusCommit = first(.consumer, [.createCommit], after: reconcile.end),
        let statusPush = first(
            .consumer,
            [.push],
            after: statusCommit.end,
            where: { $0.commit == statusCommit.commit }
        ),
        let statusID = statusPush.commit,
        let producerSeen = inside.filter({
            $0.side == .producer && ($0.operation == .remoteTip || $0.operation == .fetch) && $0.commit == statusID
        }).min(by: { $0.end < $1.end })
    else { return nil }
    let marks: [UInt64] = [
        trip.start, push.end, max(seen.end, push.end), reconcile.start, reconcile.end, statusCommit.start,
        statusCommit.end, statusPush.end, max(producerSeen.end, statusPush.end), trip.end,
    ]
    var durations: [Segment: UInt64] = [:]
    var calls: [Segment: [Timeline.Operation: (nanoseconds: UInt64, count: Int)]] = [:]
    for segment in Segment.allCases {
        let from = marks[segment.rawValue]
        let to = max(marks[segment.rawValue + 1], from)
        durations[segment] = to - from
        var perOperation: [Timeline.Operation: (nanoseconds: UInt64, count: Int)] = [:]
        for event in inside where event.side == segment.side && event.operation != .reconcile {
            let overlapStart = max(event.start, from)
            let overlapEnd = min(event.end, to)
            guard overlapEnd > overlapStart else { continue }
            let previous = perOperation[event.operation] ?? (0, 0)
            perOperation[event.operation] = (previous.nanoseconds + overlapEnd - overlapStart, previous.count + 1)
        }
        calls[segment] = perOperation
    }
    return RoundTripParts(
        durations: durations,
        calls: calls,
        applyAfterPush: trip.applied - min(push.end, trip.applied)
    )
}

/// The mean and median of each segment over many round trips, and the
/// mean time per Transport call kind within it.
struct BreakdownSummary: Sendable {
    struct Line: Sendable {
        var segment: Segment
        var median: Double
        var mean: Double
        /// "remoteTip ×3 0.6 ms, fetch 0.1 ms": mean calls and time per round trip.
        var calls: String
    }

    var lines: [Line]
    var roundTrips: Int
    var meanTotal: Double
    var applyAfterPush: Statistics

    init(_ parts: [RoundTripParts], totals: [UInt64]) {
        roundTrips = parts.count
        let count = Double(max(parts.count, 1))
        meanTotal = totals.isEmpty ? .nan : Double(totals.reduce(0, +)) / Double(totals.count)
        applyAfterPush = Statistics(parts.map { Double($0.applyAfterPush) })
        lines = Segment.allCases.map { segment in
            let samples = parts.compactMap { $0.durations[segment] }.map { Double($0) }
            var time: [Timeline.Operation: UInt64] = [:]
            var calls: [Timeline.Operation: Int] = [:]
            for part in parts {
                for (operation, value) in part.calls[segment] ?? [:] {
                    time[operation, default: 0] += value.nanoseconds
                    calls[operation, default: 0] += value.count
                }
            }
            let described = time.sorted { $0.value > $1.value }.filter { Double($0.value) / count >= 5_000 }.map {
                operation,
                nanoseconds in
                let perTrip = Double(calls[operation] ?? 0) / count
                let times = perTrip >= 1.05 ? " ×\(format(perTrip, decimals: 1))" : ""
                return "\(operation.rawValue)\(times) \(milliseconds(Double(nanoseconds) / count))"
            }
            return Line(
                segment: segment,
                median: Statistics(samples).median,
                mean: samples.isEmpty ? .nan : samples.reduce(0, +) / count,
                calls: described.joined(separator: ", ")
            )
        }
    }
}
