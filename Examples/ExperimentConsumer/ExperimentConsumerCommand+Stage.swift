import ArgumentParser
import ExperimentKit
import Foundation
import Giter
import Logging

/// `--stage`: which part of the example this consumer plays.
enum ConsumerStage: String, CaseIterable, ExpressibleByArgument {
    /// Runs the experiments (the default).
    case testbed
    /// Consumes the experiments of --remote and produces an Analysis of each in --output-remote.
    case pipeline
    /// Consumes the analyses of --remote and writes their status.
    case analysis
}

extension ExperimentConsumerCommand {
    /// The two stages of the pipeline example (Documentation/Examples.md#a-pipeline-experiments-then-analyses).
    func runStage(logger: Logger) async throws {
        let name = runner ?? Self.hostName()
        let options = ControllerOptions(
            pollInterval: exchange.pollDuration,
            maxConcurrentReconciles: parallel ?? max(1, ProcessInfo.processInfo.activeProcessorCount),
            statusWriteWindow: .milliseconds(statusWindow),
            watchesLocalRemote: exchange.watchesLocalRemote,
            logger: Logger(label: "experiment-consumer.controller")
        )
        guard let remote = exchange.resolvedRemote else {
            throw ValidationError("Give the exchange repository with --remote URL or GITER_REMOTE.")
        }
        switch stage {
        case .testbed:
            return
        case .pipeline:
            guard let outputRemote else { throw ValidationError("--stage pipeline needs --output-remote URL.") }
            let input = try await exchange.makeStore(
                identity: exchange.exchangeIdentity(
                    role: .consumer,
                    fallback: "Pipeline \(name) <pipeline@giter.example>"
                ),
                logger: Logger(label: "experiment-consumer.store")
            )
            let output = try await exchange.makeStore(
                of: Analysis.self,
                type: AnalysisAPI.resourceType,
                remote: outputRemote,
                identity: exchange.exchangeIdentity(
                    role: .producer,
                    fallback: "Pipeline \(name) <pipeline@giter.example>"
                ),
                logger: Logger(label: "experiment-consumer.output")
            )
            let stage = try AnalysisAPI.stage(
                source: .init(repository: remote, branch: exchange.branch),
                input: input,
                output: output,
                pollInterval: exchange.pollDuration
            )
            logger.info("pipeline: experiments of \(remote) become analyses in \(outputRemote)")
            try await StageRunner(store: input, reconciler: stage, options: options, logger: logger)
                .run(exitWhenIdle: exitWhenIdle)
        case .analysis:
            let store = try await exchange.makeStore(
                of: Analysis.self,
                type: AnalysisAPI.resourceType,
                remote: remote,
                identity: exchange.exchangeIdentity(
                    role: .consumer,
                    fallback: "Analyst \(name) <analyst@giter.example>"
                ),
                logger: Logger(label: "experiment-consumer.store")
            )
            logger.info("analysing the analyses of \(remote) as \(name)")
            try await StageRunner(
                store: store,
                reconciler: AnalysisReconciler(analyst: name),
                options: options,
                logger: logger
            )
            .run(exitWhenIdle: exitWhenIdle)
        }
        logger.info("stopped")
    }
}
