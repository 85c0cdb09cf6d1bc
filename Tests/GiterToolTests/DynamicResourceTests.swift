import Foundation
import Giter
import Testing

/// `DynamicResource`: the type the tool reads any kind with.
@Suite("DynamicResource")
struct DynamicResourceTests {
    static let document = """
        apiVersion: giter.example/v1
        kind: Experiment
        metadata:
          name: sort-1
          namespace: lab
          generation: 3
        spec:
          workload: sort
          size: 1000
          options:
          - stable
          - "no"
        status:
          phase: Done
          observedGeneration: 3
          results:
            seconds: 1.25
            digest: sha256:abc
          conditions:
          - type: Ready
            status: "True"
            observedGeneration: 3
            lastTransitionTime: "2025-01-31T09:30:00Z"
            reason: Finished
            message: sorted
          observedSpecDigest: 0123456789abcdef

        """

    @Test func aDocumentRoundTripsUnchanged() throws {
        let resource = try DocumentDecoder().decode(DynamicResource.self, fromYAML: Self.document)
        #expect(resource.spec["size"]?.number?.integer(as: Int.self) == 1000)
        let status = try #require(resource.status)
        #expect(status.observedGeneration == 3)
        #expect(status.conditions.map(\.type) == ["Ready"])
        #expect(status.isTrue("Ready"))
        #expect(status.fields.keys == ["phase", "results", "observedSpecDigest"])
        #expect(status["results"]?["seconds"]?.number?.doubleValue == 1.25)
        #expect(try DocumentEncoder().encodeYAML(resource) == Self.document)
    }

    @Test func statusEqualityIgnoresKeyOrderOfTypedFields() throws {
        let first = try DocumentDecoder().decode(
            DynamicStatus.self, fromYAML: "observedGeneration: 1\nconditions: []\nphase: Done\n")
        let second = try DocumentDecoder().decode(DynamicStatus.self, fromYAML: "phase: Done\nobservedGeneration: 1\n")
        #expect(first == second)
        #expect(try DocumentEncoder().encodeYAML(first) == "observedGeneration: 1\nconditions: []\nphase: Done\n")
        #expect(try DocumentEncoder().encodeYAML(second) == "phase: Done\nobservedGeneration: 1\n")
    }

    @Test func newFieldsComeAfterTheDecodedOnes() throws {
        var status = try DocumentDecoder().decode(DynamicStatus.self, fromYAML: "phase: Running\n")
        status.observedGeneration = 2
        status["progress"] = 50
        status.conditions.setCondition(
            Condition(type: "Ready", status: .false, lastTransitionTime: Date(timeIntervalSince1970: 0), reason: "Running"))
        #expect(
            try DocumentEncoder().encodeYAML(status) == """
                phase: Running
                observedGeneration: 2
                conditions:
                - type: Ready
                  status: "False"
                  lastTransitionTime: "1970-01-01T00:00:00Z"
                  reason: Running
                  message: ""
                progress: 50

                """)
    }

    @Test func aBadConditionIsATypeErrorWithItsPath() throws {
        let text = "observedGeneration: 1\nconditions:\n- type: Ready\n  status: maybe\n"
        #expect {
            try DocumentDecoder().decode(DynamicStatus.self, fromYAML: text)
        } throws: { error in
            guard case .dataCorrupted(let context) = error as? DecodingError else { return false }
            return context.codingPath.map(\.stringValue) == ["conditions", "Index 0", "status"]
        }
    }
}
