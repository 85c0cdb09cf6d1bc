// The Codable model the benchmark decodes into and encodes from: a realistic
// Kubernetes-style custom resource. It is defined here, not taken from module
// Giter, so that the benchmark measures the codec alone and every library
// works on exactly the same types.
//
// Timestamps are plain strings: the three libraries default to different date
// strategies, and a date parser is not what this benchmark compares.

struct WebService: Codable, Equatable, Sendable {
    var apiVersion: String
    var kind: String
    var metadata: ObjectMetadata
    var spec: WebServiceSpec
    var status: WebServiceStatus?
}

struct ObjectMetadata: Codable, Equatable, Sendable {
    var name: String
    var namespace: String?
    var labels: [String: String]?
    var annotations: [String: String]?
    var generation: Int64?
    var uid: String?
    var creationTimestamp: String?
}

struct WebServiceSpec: Codable, Equatable, Sendable {
    var replicas: Int
    var paused: Bool
    var image: ImageReference
    var resources: ResourceRequirements
    var env: [EnvironmentVariable]
    var routes: [Route]
    var rollout: Rollout
    var config: String
}

struct ImageReference: Codable, Equatable, Sendable {
    var repository: String
    var tag: String
    var pullPolicy: String
}

struct ResourceRequirements: Codable, Equatable, Sendable {
    var requests: [String: String]
    var limits: [String: String]
}

struct EnvironmentVariable: Codable, Equatable, Sendable {
    var name: String
    var value: String
}

struct Route: Codable, Equatable, Sendable {
    var name: String
    var path: String
    var port: Int
    var weight: Double
    var timeoutSeconds: Double
    var enabled: Bool
    var methods: [String]
    var headers: [Header]
}

struct Header: Codable, Equatable, Sendable {
    var name: String
    var value: String
}

struct Rollout: Codable, Equatable, Sendable {
    var strategy: String
    var maxSurge: String
    var maxUnavailable: Int
    var steps: [RolloutStep]
}

struct RolloutStep: Codable, Equatable, Sendable {
    var setWeight: Int
    var pauseSeconds: Int
}

struct WebServiceStatus: Codable, Equatable, Sendable {
    var observedGeneration: Int64
    var readyReplicas: Int
    var conditions: [Condition]
}

struct Condition: Codable, Equatable, Sendable {
    var type: String
    var status: String
    var observedGeneration: Int64?
    var lastTransitionTime: String
    var reason: String
    var message: String
}
