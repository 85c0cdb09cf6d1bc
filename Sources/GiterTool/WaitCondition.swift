import ArgumentParser

/// What `giter wait --for` waits for: `condition=TYPE` (or
/// `condition=TYPE=True`), a condition of the status being `True` for the
/// current spec.
struct WaitCondition: ExpressibleByArgument, CustomStringConvertible {
    /// The condition type, for example `Ready`.
    var type: String

    init?(argument: String) {
        let parts = argument.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, parts[0].lowercased() == "condition", !parts[1].isEmpty else {
            return nil
        }
        if parts.count == 3 && parts[2].lowercased() != "true" { return nil }
        type = parts[1]
    }

    init(type: String) { self.type = type }

    var description: String { "condition=\(type)" }

    static var defaultCompletionKind: CompletionKind { .list(["condition=Ready"]) }
}

/// A duration as typed for `--timeout` and `--interval`: `60s`, `500ms`,
/// `2m`, `1h30m`, or a number of seconds (`90`, `0.5`).
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible {
    var duration: Duration
    private var text: String

    init(_ duration: Duration, text: String) {
        self.duration = duration
        self.text = text
    }

    init?(argument: String) {
        guard let duration = Self.parse(argument) else { return nil }
        self.init(duration, text: argument)
    }

    var description: String { text }

    /// The milliseconds of `text`, or `nil` when it is not a duration.
    static func parse(_ text: String) -> Duration? {
        if let seconds = Double(text), seconds >= 0, seconds.isFinite { return .milliseconds(Int64(seconds * 1000)) }
        var milliseconds: Double = 0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": milliseconds += value
            case "s": milliseconds += value * 1000
            case "m": milliseconds += value * 60_000
            case "h": milliseconds += value * 3_600_000
            default: return nil
            }
        }
        guard milliseconds.isFinite, milliseconds < 1e15 else { return nil }
        return .milliseconds(Int64(milliseconds))
    }
}
