import ArgumentParser
import Foundation
import Giter
import Logging
import ServiceLifecycle
import UnixSignals

/// `giter reconcile KIND --exec COMMAND`: a consumer whose reconciler is any program.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Run a program as the consumer of a kind: a controller whose reconciler is any program.",
        discussion: """
            For each resource of KIND in the namespace (-n, default \
            "default"; every namespace with -A) whose status does not \
            describe its current spec, runs COMMAND through 'sh -c', as git \
            runs hooks, in the current directory, with the resource as one \
            JSON object on standard input and these variables: GITER_KEY \
            (namespace/Kind/name), GITER_NAMESPACE, GITER_KIND, GITER_NAME, \
            GITER_GENERATION, GITER_IDEMPOTENCY_KEY (the same for every run \
            of one generation: make side effects idempotent with it) and \
            GITER_ATTEMPT.

            Standard output, if any, is the new status as a JSON object (at \
            most 1 MiB); giter sets observedGeneration on it and on each of \
            its conditions, lastTransitionTime as setCondition does, and \
            Ready=True when the program set no Ready.

            Exit 0 means done until the spec changes. Exit 75 (EX_TEMPFAIL) \
            means run again after --requeue-after, publishing the printed \
            status, if any, with Reconciling=True meanwhile. Anything else is \
            a failure: published as Ready=False, reason ExecFailed, with the \
            last 2 KB of standard error, secrets redacted (it goes into the \
            exchange's permanent history), and retried with growing delays \
            (200 ms up to 5 minutes). \
            A run longer than --timeout is killed with its process group \
            and counts as a failure.

            The program does not inherit GITER_TOKEN, GITER_PASSWORD, \
            GITER_SIGNING_KEY, GITER_REGISTRY_PASSWORD or SSH_AUTH_SOCK \
            unless --pass-env NAME names \
            it; values of those variables, credentials in URLs and \
            Authorization headers are redacted from what is published.

            Runs until SIGTERM or SIGINT, then lets the runs under way finish \
            and pushes their statuses; with --once, stops once everything \
            seen is reconciled (a resource asked to run again later is left \
            Reconciling=True for the next run). The command writes as the \
            consumer (see --role).

            Exit status: 0 on a shutdown by signal, or with --once when no \
            run failed; 1 when the remote cannot be used, or with --once when \
            a run failed; 64 for a usage error.

            Examples:
              giter reconcile Experiment --exec ./consumer.sh
              giter reconcile Experiment --exec 'python3 consumer.py' --once
              giter reconcile Job --exec ./job.sh --concurrency 8 --requeue-after 1m --pass-env GITER_TOKEN
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("The kind to reconcile.", valueName: "kind"))
    var kind: String

    @Option(name: .long, help: ArgumentHelp("The program, run through sh -c.", valueName: "command"))
    var exec: String

    @Flag(name: .long, help: "Stop once everything seen is reconciled.")
    var once = false

    @Option(name: .long, help: ArgumentHelp("How many runs at once.", valueName: "n"))
    var concurrency = 4

    @Option(name: .long, help: ArgumentHelp("When an exit 75 runs again: 30s, 5m.", valueName: "duration"))
    var requeueAfter = DurationArgument(.seconds(30), text: "30s")

    @Option(name: .long, help: ArgumentHelp("How long one run may take.", valueName: "duration"))
    var timeout = DurationArgument(.seconds(600), text: "10m")

    @Option(
        name: .long,
        help: ArgumentHelp("How often to look at a remote that is not watched.", valueName: "duration"))
    var pollInterval = DurationArgument(.seconds(5), text: "5s")

    @Flag(name: [.customShort("A"), .long], help: "Reconcile the kind in every namespace, not only in -n's.")
    var allNamespaces = false

    @Option(
        name: .customLong("pass-env"),
        help: ArgumentHelp(
            "Give the program this variable although it holds a secret (repeatable).", valueName: "name"))
    var passEnv: [String] = []

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 256") }
        guard timeout.duration > .zero else { throw ValidationError("--timeout must be longer than 0") }
        guard pollInterval.duration > .zero else { throw ValidationError("--poll-interval must be longer than 0") }
        guard !exec.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--exec needs a command") }
    }

    func run() async throws {
        // A consumer of a large exchange: large blocks go back to the system when freed (Documentation/Performance.md).
        MemorySettings.returnLargeBlocksToTheSystem()
        try await ErrorReporting.run {
            let opened = try await Exchange.open(exchange, role: .consumer)
            let kind = try await opened.resolveKind(self.kind)
            let environment = ProcessInfo.processInfo.environment
            let options = ControllerOptions(
                pollInterval: pollInterval.duration, maxConcurrentReconciles: concurrency,
                logger: Logger(label: "giter.reconcile"))
            let reconciler = ExecReconciler(
                command: exec,
                environment: ExecReconciler.childEnvironment(environment, passing: passEnv),
                redaction: SecretRedaction(environment: environment, passed: passEnv),
                timeLimit: timeout.duration,
                requeueAfter: requeueAfter.duration,
                backoff: options.errorBackoff
            )
            let store = opened.store(kind: kind)
            guard try await store.refresh() != nil else { throw opened.noBranch() }
            StandardError.write(
                "giter reconcile: reconciling \(kind) \(opened.scope(allNamespaces: allNamespaces)) as \(opened.identity.role)"
                    + (once ? ", once\n" : " until SIGTERM\n"))
            if allNamespaces {
                try await reconcile(Controller(store: store, reconciler: reconciler, options: options), reconciler)
            } else {
                let namespaced = NamespacedStore(base: store, namespace: opened.namespace)
                try await reconcile(Controller(store: namespaced, reconciler: reconciler, options: options), reconciler)
            }
        }
    }

    /// Runs `controller` until a signal, or with `--once` until it is idle.
    private func reconcile(_ controller: Controller<ExecReconciler>, _ reconciler: ExecReconciler) async throws {
        if once {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
            let failing = reconciler.failing
            if !failing.isEmpty {
                let shown = failing.prefix(5).map(\.description).joined(separator: ", ")
                throw ToolError(
                    "the program failed for \(failing.count) resource(s): \(shown); "
                        + "their status says why (giter describe)")
            }
        } else {
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: controller)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: Logger(label: "giter.reconcile")
                )
            )
            try await group.run()
        }
    }
}
