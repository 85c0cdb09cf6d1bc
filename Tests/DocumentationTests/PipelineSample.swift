// The sample of Documentation/Pipelines.md, verbatim, with the types it names.

import Giter

struct ExperimentSpec: ResourceSpec { var workload: String }
struct ExperimentStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var summary: String?
}
typealias Experiment = CustomResource<ExperimentSpec, ExperimentStatus>

struct AnalysisSpec: ResourceSpec {
    var workload: String
    init(of experiment: ExperimentSpec) { workload = experiment.workload }
}
struct AnalysisStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var summary: String?
}
typealias Analysis = CustomResource<AnalysisSpec, AnalysisStatus>

func pipelineController(
    experimentStore: GitResourceStore<Experiment>, analysisStore: GitResourceStore<Analysis>
) throws -> Controller<PipelineStage<Experiment, Analysis>> {
    let stage = try PipelineStage<Experiment, Analysis>(
        source: .init(repository: "https://git.example.com/lab/experiments.git"),
        input: experimentStore,                 // the store the controller below reads
        output: Producer(store: analysisStore), // the next exchange, as its producer
        pollInterval: .seconds(30)
    ) { experiment, _ in
        Analysis(
            apiVersion: "lab.example.com/v1", kind: "Analysis",
            metadata: ObjectMeta(name: experiment.metadata.name + "-analysis", namespace: "analysis"),
            spec: AnalysisSpec(of: experiment.spec), status: nil)
    } reflect: { _, analysis, status in
        status.summary = analysis.resource.status?.summary
    }
    let controller = Controller(store: experimentStore, reconciler: stage)
    return controller
}
