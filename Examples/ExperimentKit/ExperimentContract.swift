public import Giter

/// The example exchange's contract: the policy naming who writes what, and
/// the CustomResourceDefinition of ``Experiment`` (the same text as
/// `Examples/Contract/experiment-crd.yaml`; a test keeps them equal).
///
/// `giter-demo` commits both as the admin's first commit, so every later
/// commit is judged by them: see `Documentation/Contract.md`.
public enum ExperimentContract {
    /// Where the definition goes in the exchange.
    public static let definitionPath = "\(Contract.definitionsFolder)/experiment-crd.yaml"

    /// The policy: `lab` produces Experiments, `testbed` writes their status, `owners` administer.
    public static func policy(producer: String, consumer: String, admin: String) -> ExchangePolicy {
        ExchangePolicy(parties: [
            ExchangePolicy.Party(
                name: "lab",
                role: .producer,
                kinds: [ExperimentAPI.kind],
                members: [ExchangePolicy.Member(email: producer)]
            ),
            ExchangePolicy.Party(
                name: "testbed",
                role: .consumer,
                kinds: [ExperimentAPI.kind],
                members: [ExchangePolicy.Member(email: consumer)]
            ),
            ExchangePolicy.Party(name: "owners", role: .admin, members: [ExchangePolicy.Member(email: admin)]),
        ])
    }

    /// The policy as the text of `.giter/policy.yaml`.
    public static func policyText(producer: String, consumer: String, admin: String) -> String {
        "# Who may write what in this exchange; see Documentation/Contract.md.\n"
            + YAMLWriter().write(policy(producer: producer, consumer: consumer, admin: admin).document)
    }

    /// The CustomResourceDefinition of ``Experiment``, matching ``ExperimentSpec`` and ``ExperimentStatus``.
    public static let definition = """
        # The contract of the example's Experiment (ExperimentSpec, ExperimentStatus):
        # giter-demo commits it to .giter/crds/ as the admin's first commit. Producers'
        # specs and consumers' statuses are validated against this schema.
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: experiments.giter.example
        spec:
          group: giter.example
          names:
            kind: Experiment
            listKind: ExperimentList
            plural: experiments
            singular: experiment
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [workload, size]
                    properties:
                      workload:
                        type: string
                        enum: [sha256Chain, primeSieve, sortGeneratedData]
                      size:
                        type: integer
                        format: int64
                        minimum: 1
                        maximum: 50000000
                      repetitions:
                        type: integer
                        format: int32
                        minimum: 1
                        maximum: 10
                        default: 3
                      seed:
                        type: integer
                        minimum: 0
                        default: 0
                  status:
                    type: object
                    properties:
                      runner:
                        type: string
                      digest:
                        type: string
                        pattern: "^[0-9a-f]{64}$"
                      summary:
                        type: string
                      repetitionMilliseconds:
                        type: array
                        items:
                          type: number
                          minimum: 0
                      completedRepetitions:
                        type: integer
                        format: int32
                        minimum: 0
                      startedAt:
                        type: string
                        format: date-time
                      finishedAt:
                        type: string
                        format: date-time

        """

    /// Where the definition of ``Analysis`` goes in the pipeline's second exchange.
    public static let analysisDefinitionPath = "\(Contract.definitionsFolder)/analysis-crd.yaml"

    /// The CustomResourceDefinition of ``Analysis``, matching ``AnalysisSpec`` and
    /// ``AnalysisStatus`` (the same text as `Examples/Contract/analysis-crd.yaml`).
    public static let analysisDefinition = """
        # The contract of the example's Analysis (AnalysisSpec, AnalysisStatus): the
        # second exchange of the pipeline example commits it to .giter/crds/ when it
        # has a contract. What the pipeline stage writes (spec and the giter.dev/source-*
        # annotations) and what the analyst writes (status) are valid against it.
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: analyses.giter.example
        spec:
          group: giter.example
          names:
            kind: Analysis
            listKind: AnalysisList
            plural: analyses
            singular: analysis
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [experiment, workload, size]
                    properties:
                      experiment:
                        type: string
                        maxLength: 253
                      workload:
                        type: string
                        enum: [sha256Chain, primeSieve, sortGeneratedData]
                      size:
                        type: integer
                        format: int64
                        minimum: 1
                        maximum: 50000000
                      seed:
                        type: integer
                        minimum: 0
                        default: 0
                  status:
                    type: object
                    properties:
                      analyst:
                        type: string
                      digest:
                        type: string
                        pattern: "^[0-9a-f]{64}$"
                      summary:
                        type: string

        """
}
