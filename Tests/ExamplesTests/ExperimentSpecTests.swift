import ExperimentKit
import Giter
import Testing

@Suite("Experiment specs: bounds and encoding")
struct ExperimentSpecTests {
    @Test("Sizes and repetitions within bounds pass", arguments: Workload.allCases)
    func withinBounds(workload: Workload) throws {
        let range = workload.sizeRange
        for size in [range.lowerBound, range.upperBound] {
            for repetitions in [1, ExperimentSpec.maxRepetitions] {
                let spec = ExperimentSpec(workload: workload, size: size, repetitions: repetitions)
                #expect(try spec.validated() == spec)
            }
        }
    }

    @Test("A size beyond the workload's bound is a terminal error that names the range", arguments: Workload.allCases)
    func sizeTooLarge(workload: Workload) {
        let spec = ExperimentSpec(workload: workload, size: workload.sizeRange.upperBound + 1)
        let error = #expect(throws: TerminalError.self) { try spec.validated() }
        #expect(error?.reason == "SizeOutOfRange")
        #expect(error?.message.contains("\(workload.sizeRange.upperBound)") == true)
    }

    @Test(
        "Zero, negative and huge sizes are refused",
        arguments: [0, -1, Int.min, Int.max, 1_000_000_000]
    )
    func absurdSizes(size: Int) {
        let spec = ExperimentSpec(workload: .primeSieve, size: size)
        #expect(throws: TerminalError.self) { try spec.validated() }
    }

    @Test("Repetitions outside 1...max are refused", arguments: [0, -3, ExperimentSpec.maxRepetitions + 1, 1_000_000])
    func repetitionsOutOfRange(repetitions: Int) {
        let spec = ExperimentSpec(workload: .sha256Chain, size: 10, repetitions: repetitions)
        let error = #expect(throws: TerminalError.self) { try spec.validated() }
        #expect(error?.reason == "RepetitionsOutOfRange")
    }

    @Test("An experiment reads back from the YAML it writes, with the API version and kind of the example")
    func yamlRoundTrip() throws {
        let experiment = ExperimentAPI.experiment(
            name: "sieve-1",
            batch: "b1",
            spec: ExperimentSpec(workload: .primeSieve, size: 1000, repetitions: 2, seed: 5)
        )
        var status = ExperimentStatus()
        status.observedGeneration = 1
        status.digest = "abc"
        status.repetitionMilliseconds = [1.5, 2.25]
        status.completedRepetitions = 2
        var withStatus = experiment
        withStatus.status = status
        let yaml = YAMLWriter().write(try DocumentEncoder().encodeNode(withStatus))
        #expect(yaml.contains("apiVersion: giter.example/v1"))
        #expect(yaml.contains("kind: Experiment"))
        #expect(yaml.contains("workload: primeSieve"))
        let decoded = try DocumentDecoder().decode(Experiment.self, from: try YAMLReader().readDocument(yaml))
        #expect(decoded == withStatus)
        #expect(decoded.status?.meanMilliseconds == 1.875)
        #expect(decoded.metadata.labels?[ExperimentAPI.batchLabel] == "b1")
        #expect(decoded.metadata.labels?[ExperimentAPI.workloadLabel] == "primeSieve")
    }

    @Test("A spec naming a workload that is not built in does not decode")
    func unknownWorkload() throws {
        let yaml = """
            apiVersion: giter.example/v1
            kind: Experiment
            metadata:
              name: evil
            spec:
              workload: "sh -c 'rm -rf /'"
              size: 1
              repetitions: 1
              seed: 0
            """
        #expect(throws: (any Error).self) {
            try DocumentDecoder().decode(Experiment.self, from: try YAMLReader().readDocument(yaml))
        }
    }

    @Test("A batch cycles through the workloads with distinct names and seeds, all within bounds")
    func batches() throws {
        let batch = ExperimentAPI.batch("t1", count: 7, scale: 0.5, repetitions: 2, namespace: "lab")
        #expect(
            batch.map(\.spec.workload) == [
                .sha256Chain, .primeSieve, .sortGeneratedData, .sha256Chain, .primeSieve, .sortGeneratedData,
                .sha256Chain,
            ]
        )
        #expect(Set(batch.map(\.metadata.name)).count == 7)
        #expect(Set(batch.map(\.spec.seed)).count == 7)
        #expect(batch.first?.metadata.name == "sha256-t1-01")
        #expect(batch.allSatisfy { $0.metadata.namespace == "lab" && $0.spec.repetitions == 2 })
        for experiment in batch {
            try experiment.validate()
            try experiment.spec.validated()
        }
        let huge = ExperimentAPI.batch("t2", count: 3, scale: 1000)
        #expect(huge.allSatisfy { (try? $0.spec.validated()) != nil }, "scaled sizes are clamped to the bounds")
    }
}
