import ExperimentKit
import Foundation
import Giter
import GiterSchema
import Logging
import Testing

/// The example's contract: the policy and the Experiment definition the
/// demo commits, and what the producer and the consumer write under them.
@Suite("The Experiment contract")
struct ExperimentContractTests {
    static let definitionFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/Contract/experiment-crd.yaml")

    @Test func theDefinitionFileIsTheOneTheDemoCommits() throws {
        let file = try String(contentsOf: Self.definitionFile, encoding: .utf8)
        #expect(file == ExperimentContract.definition)
    }

    @Test func theContractLoadsAndNamesTheParties() throws {
        let policy = ExperimentContract.policyText(
            producer: "p@example.com",
            consumer: "c@example.com",
            admin: "a@example.com"
        )
        let contract = try Contract.load(files: [
            ExchangePolicy.path: Array(policy.utf8),
            ExperimentContract.definitionPath: Array(ExperimentContract.definition.utf8),
        ])
        #expect(
            contract.policy
                == ExperimentContract.policy(
                    producer: "p@example.com",
                    consumer: "c@example.com",
                    admin: "a@example.com"
                )
        )
        #expect(contract.policy?.parties(of: "p@example.com").map(\.role) == [.producer])
        #expect(contract.policy?.parties(of: "c@example.com").map(\.role) == [.consumer])
        #expect(contract.notEnforced.isEmpty)
    }

    @Test("What the producer and the consumer write is valid", arguments: Workload.allCases)
    func writtenResourcesAreValid(workload: Workload) throws {
        let contract = try Contract.load(files: [
            ExperimentContract.definitionPath: Array(ExperimentContract.definition.utf8)
        ])
        guard
            case .found(let version) = contract.definition(
                apiVersion: ExperimentAPI.apiVersion,
                kind: ExperimentAPI.kind
            )
        else {
            Issue.record("no served definition of \(ExperimentAPI.apiVersion) Experiment")
            return
        }
        var experiment = ExperimentAPI.experiment(
            name: "e-1",
            spec: ExperimentSpec(workload: workload, size: 1000, seed: 7)
        )
        var status = ExperimentStatus()
        status.observedGeneration = 1
        status.conditions.setCondition(
            Condition(type: ExperimentConditions.ready, status: .true, reason: "Completed", message: "done")
        )
        status.runner = "testbed-1"
        status.digest = String(repeating: "ab", count: 32)
        status.summary = "1000 values sorted"
        status.repetitionMilliseconds = [1.5, 2, 3.25]
        status.completedRepetitions = 3
        status.startedAt = Date(timeIntervalSince1970: 1_700_000_000)
        status.finishedAt = Date(timeIntervalSince1970: 1_700_000_010)
        experiment.status = status
        let mapping = try #require(try DocumentEncoder().encodeNode(experiment).mapping)
        #expect(version.validate(mapping, sections: [.spec, .status]) == [])
        #expect(version.hasStatusSubresource)
    }
}

/// The pipeline example's second kind.
extension ExperimentContractTests {
    @Test func theAnalysisDefinitionFileIsTheConstant() throws {
        let file = try String(
            contentsOf: Self.definitionFile.deletingLastPathComponent().appendingPathComponent("analysis-crd.yaml"),
            encoding: .utf8)
        #expect(file == ExperimentContract.analysisDefinition)
    }

    @Test("What the pipeline stage and the analyst write is valid", arguments: Workload.allCases)
    func analysesAreValid(workload: Workload) async throws {
        let contract = try Contract.load(files: [
            ExperimentContract.analysisDefinitionPath: Array(ExperimentContract.analysisDefinition.utf8)
        ])
        guard case .found(let version) = contract.definition(apiVersion: ExperimentAPI.apiVersion, kind: AnalysisAPI.kind)
        else {
            Issue.record("no served definition of \(ExperimentAPI.apiVersion) Analysis")
            return
        }
        var analysis = Analysis(
            apiVersion: ExperimentAPI.apiVersion, kind: AnalysisAPI.kind,
            metadata: ObjectMeta(name: "e-1", annotations: [Provenance.resource: "default/Experiment/e-1"]),
            spec: AnalysisSpec(experiment: "e-1", workload: workload, size: 1000, seed: 7))
        let context = ReconcileContext(
            key: ResourceKey(namespace: "default", kind: AnalysisAPI.kind, name: "e-1"), generation: 1,
            idempotencyKey: "e-1", attempt: 1, logger: Logger(label: "test"))
        let reconciled = try await AnalysisReconciler(analyst: "analyst-1").reconcile(analysis, context: context)
        #expect(reconciled.next == .done)
        let status = reconciled.status
        analysis.status = status
        let mapping = try #require(try DocumentEncoder().encodeNode(analysis).mapping)
        #expect(version.validate(mapping, sections: [.spec, .status]) == [])
        #expect(version.hasStatusSubresource)
        #expect(status.digest == ExperimentSpec(workload: workload, size: 1000, seed: 7).computeOnce().digest)

        var wrong = mapping
        wrong["spec"] = .mapping(["experiment": .string("e-1"), "workload": .string("rm -rf"), "size": .number(Node.Number(1))])
        #expect(version.validate(wrong, sections: [.spec]) != [])
    }
}
