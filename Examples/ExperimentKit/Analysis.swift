public import Giter

/// The second kind of the example's pipeline: an independent analysis of
/// one experiment's result, in an exchange of its own.
///
/// ```
/// A: Experiment ──(--stage pipeline: PipelineStage)──▶ B: Analysis
///    Experiment.status ◀── Ready, digest, summary ── Analysis.status ◀── (--stage analysis)
/// ```
public typealias Analysis = CustomResource<AnalysisSpec, AnalysisStatus>

/// What an analysis recomputes: the experiment's workload, once.
public struct AnalysisSpec: ResourceSpec, Hashable {
    /// The experiment analysed, by name (its full key is in the provenance annotations).
    public var experiment: String
    public var workload: Workload
    public var size: Int
    public var seed: UInt64

    public init(experiment: String, workload: Workload, size: Int, seed: UInt64) {
        self.experiment = experiment
        self.workload = workload
        self.size = size
        self.seed = seed
    }

    /// The analysis of `experiment`.
    public init(of experiment: Experiment) {
        self.init(
            experiment: experiment.metadata.name,
            workload: experiment.spec.workload,
            size: experiment.spec.size,
            seed: experiment.spec.seed
        )
    }
}

/// What the analyst reports.
public struct AnalysisStatus: ReconcilableStatus, Hashable {
    public var observedGeneration: Int64?
    public var conditions: [Condition]
    /// Who analysed it.
    public var analyst: String?
    /// The SHA-256 of the workload's output, in hexadecimal.
    public var digest: String?
    public var summary: String?

    public init() {
        conditions = []
    }
}

/// The kind's names, and the pipeline stage that makes analyses of experiments.
public enum AnalysisAPI {
    public static let kind = "Analysis"
    public static let resourceType = ResourceType(apiVersion: ExperimentAPI.apiVersion, kind: kind)

    /// The stage: each experiment of `input` gets an Analysis of the same
    /// name and namespace in `output`, with the experiment's provenance; the
    /// experiment's status becomes `Ready=True` once the analysis is, with
    /// the analysis' digest, summary and analyst.
    public static func stage(
        source: PipelineStage<Experiment, Analysis>.Source,
        input: some ResourceStore<Experiment>,
        output: some ResourceStore<Analysis>,
        pollInterval: Duration
    ) throws -> PipelineStage<Experiment, Analysis> {
        try PipelineStage(
            source: source,
            input: input,
            output: Producer(store: output),
            pollInterval: pollInterval
        ) { experiment, _ in
            Analysis(
                apiVersion: ExperimentAPI.apiVersion,
                kind: kind,
                metadata: ObjectMeta(name: experiment.metadata.name, namespace: experiment.metadata.effectiveNamespace),
                spec: AnalysisSpec(of: experiment)
            )
        } reflect: { _, analysis, status in
            status.digest = analysis.resource.status?.digest
            status.summary = analysis.resource.status?.summary
            status.runner = analysis.resource.status?.analyst
        }
    }
}

/// The analyst: recomputes an analysis' workload once, off the cooperative
/// pool, and reports its digest. The spec is checked against the workload's
/// bounds first: out of bounds is a terminal error.
public struct AnalysisReconciler: Reconciler {
    public typealias Resource = Analysis

    let analyst: String
    let executor = WorkloadExecutor()

    public init(analyst: String) {
        self.analyst = analyst
    }

    public func reconcile(_ resource: Analysis, context: ReconcileContext) async throws -> ReconcileResult<
        AnalysisStatus
    > {
        let spec = try ExperimentSpec(
            workload: resource.spec.workload,
            size: resource.spec.size,
            repetitions: 1,
            seed: resource.spec.seed
        ).validated()
        let run = await executor.run(spec)
        var status = resource.status ?? AnalysisStatus()
        status.observedGeneration = context.generation
        status.analyst = analyst
        status.digest = run.output.digest
        status.summary = run.output.summary
        _ = status.conditions.setCondition(
            Condition(
                type: ExperimentConditions.ready,
                status: .true,
                observedGeneration: context.generation,
                reason: "Analysed",
                message: "\(spec.shortDescription) in \(run.milliseconds) ms on \(analyst)"
            )
        )
        return .done(status)
    }
}
