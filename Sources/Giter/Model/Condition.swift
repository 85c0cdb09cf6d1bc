#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One aspect of a resource's observed state, with the fields of Kubernetes'
/// `metav1.Condition`.
///
/// ```yaml
/// - type: Ready
///   status: "True"
///   observedGeneration: 3
///   lastTransitionTime: "2025-01-31T09:30:00Z"
///   reason: ReportPublished
///   message: The report is in the bucket.
/// ```
///
/// Set conditions with ``Swift/Array/setCondition(_:now:)`` rather than by
/// hand: it moves ``lastTransitionTime`` only when ``status`` changes.
public struct Condition: Sendable, Hashable {
    /// Whether a condition holds.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// The condition holds.
        case `true` = "True"
        /// The condition does not hold.
        case `false` = "False"
        /// Whether the condition holds is not known.
        case unknown = "Unknown"

        /// ``true`` or ``false``.
        public init(_ value: Bool) { self = value ? .true : .false }

        /// `True`, `False` or `Unknown`, as written in a resource.
        public var description: String { rawValue }
    }

    /// The time that stands for "not set": Go's zero time,
    /// `0001-01-01T00:00:00Z` in the proleptic Gregorian calendar, which is
    /// what Kubernetes' Go types hold when the time is missing.
    ///
    /// ``Swift/Array/setCondition(_:now:)`` replaces it, and any earlier
    /// time, with the current time.
    public static let unsetTime = Date(timeIntervalSince1970: -62_135_596_800)

    /// The aspect of the state, in UpperCamelCase (`Ready`, `Progressing`),
    /// or a qualified name (`example.com/Drained`). Unique within a list.
    public var type: String
    /// Whether the condition holds.
    public var status: Status
    /// The `metadata.generation` of the resource the condition was set
    /// for, if known.
    public var observedGeneration: Int64?
    /// When ``status`` last changed. ``unsetTime`` until set.
    public var lastTransitionTime: Date
    /// Why the condition is as it is, as a machine-readable UpperCamelCase
    /// word (`ReportPublished`).
    public var reason: String
    /// Details for people; may be empty.
    public var message: String

    /// A condition from its fields. Leave `lastTransitionTime` out to have
    /// ``Swift/Array/setCondition(_:now:)`` set it.
    public init(
        type: String,
        status: Status,
        observedGeneration: Int64? = nil,
        lastTransitionTime: Date = Condition.unsetTime,
        reason: String,
        message: String = ""
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }

    /// Whether ``lastTransitionTime`` is set (later than ``unsetTime``).
    public var hasTransitionTime: Bool { lastTransitionTime > Self.unsetTime }
}

extension Condition: Codable {
    enum CodingKeys: String, CodingKey {
        case type
        case status
        case observedGeneration
        case lastTransitionTime
        case reason
        case message
    }

    /// Decodes a condition. `reason` and `message` may be missing and then
    /// decode as empty strings, as Kubernetes' Go types read them;
    /// ``CustomResource/validate()`` reports a missing reason.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        status = try container.decode(Status.self, forKey: .status)
        observedGeneration = try container.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        lastTransitionTime = try container.decode(Date.self, forKey: .lastTransitionTime)
        reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try container.encode(lastTransitionTime, forKey: .lastTransitionTime)
        try container.encode(reason, forKey: .reason)
        try container.encode(message, forKey: .message)
    }
}
