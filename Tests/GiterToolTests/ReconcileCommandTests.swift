import Foundation
import Giter
import GitServerFixtures
import Testing

/// `giter reconcile KIND --exec COMMAND`: any program as the consumer.
@Suite("giter reconcile --exec")
struct ReconcileCommandTests {
    static func stored(_ exchange: ExchangeFixture, _ name: String) async throws -> StoredResource<DynamicResource> {
        try await StatusSetCommandTests.stored(exchange, name)
    }

    @Test(
        "A shell program gets the resource and GITER_* variables and prints the status; giter adds the rest",
        arguments: ToolBackend.allCases)
    func programPrintsTheStatus(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sort-2", size: 7))
        try exchange.write(
            "consumer.sh",
            """
            size=$(sed -n 's/.*"size": *\\([0-9]*\\).*/\\1/p')
            printf '{"size": %s, "key": "%s", "generation": "%s", "idempotency": "%s", "attempt": "%s", ' \\
              "$size" "$GITER_KEY" "$GITER_GENERATION" "$GITER_IDEMPOTENCY_KEY" "$GITER_ATTEMPT"
            printf '"where": "%s/%s/%s", "conditions": [{"type": "Sorted", "status": "True", "reason": "Done"}]}' \\
              "$GITER_NAMESPACE" "$GITER_KIND" "$GITER_NAME"
            """)
        let run = try await exchange.giter(["reconcile", "Experiment", "--exec", "sh consumer.sh", "--once"])
        #expect(run.status == 0, "\(run.stderr)")
        let pushes = try await runGitChecked(["--git-dir", exchange.remote, "rev-list", "--count", "main"]).stdout
        for (name, size) in [("sort-1", 1000), ("sort-2", 7)] {
            let stored = try await Self.stored(exchange, name)
            let status = try #require(stored.resource.status)
            #expect(stored.isStatusCurrent)
            #expect(stored.reconcileState == .current)
            #expect(status["size"]?.number?.description == "\(size)")
            #expect(status["key"] == .string("default/Experiment/\(name)"))
            #expect(status["where"] == .string("default/Experiment/\(name)"))
            #expect(status["generation"] == .string("1"))
            #expect(status["idempotency"] == .string(stored.idempotencyKey))
            #expect(status["attempt"] == .string("1"))
            #expect(status.conditions.map(\.type) == ["Sorted", "Ready"], "\(status.conditions)")
            #expect(status.conditions.allSatisfy { $0.observedGeneration == 1 && $0.hasTransitionTime })
        }
        // Run again: nothing to do, nothing written.
        let again = try await exchange.giter(["reconcile", "Experiment", "--exec", "sh consumer.sh", "--once"])
        #expect(again.status == 0, "\(again.stderr)")
        let after = try await runGitChecked(["--git-dir", exchange.remote, "rev-list", "--count", "main"]).stdout
        #expect(after == pushes)
    }

    @Test("Exit 75 publishes the printed status with Reconciling=True; a later exit 0 removes it")
    func exitSeventyFiveRequeues() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let first = try await exchange.giter([
            "reconcile", "Experiment", "--once", "--requeue-after", "1h", "--exec",
            #"echo '{"phase": "Half"}'; exit 75"#,
        ])
        #expect(first.status == 0, "\(first.stderr)")
        let working = try await Self.stored(exchange, "sort-1")
        #expect(working.resource.status?["phase"] == .string("Half"))
        #expect(working.resource.status?.condition(ofType: "Reconciling")?.status == .true)
        #expect(working.reconcileState == .inProgress)
        let wait = try await exchange.giter(["wait", "Experiment/sort-1", "--timeout", "200ms", "--interval", "50ms"])
        #expect(wait.status == 1, "Reconciling=True is not done: \(wait.stdout)")

        // A new run picks up the work in progress.
        let second = try await exchange.giter([
            "reconcile", "Experiment", "--once", "--exec", #"echo '{"phase": "Done"}'"#,
        ])
        #expect(second.status == 0, "\(second.stderr)")
        let done = try await Self.stored(exchange, "sort-1")
        #expect(done.resource.status?["phase"] == .string("Done"))
        #expect(done.resource.status?.condition(ofType: "Reconciling") == nil)
        #expect(done.conditionHolds("Ready"))
    }

    @Test("A failure is published as Ready=False with the tail of standard error, secrets redacted and not inherited")
    func failureIsReportedRedacted() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let secret = "s3cr3t-token-value"
        let failing = try await exchange.giter(
            [
                "reconcile", "Experiment", "--once", "--exec",
                #"seq 1 3000 >&2; echo "inherited=[$GITER_TOKEN] [${SSH_AUTH_SOCK:-}] fetching https://bob:s3cr3t-token-value@forge/x" >&2; echo "Authorization: Bearer abc.def" >&2; exit 3"#,
            ],
            environment: ["GITER_TOKEN": secret, "SSH_AUTH_SOCK": "/tmp/agent.sock"])
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("the program failed for 1 resource(s): default/Experiment/sort-1"))
        let status = try #require(try await Self.stored(exchange, "sort-1").resource.status)
        let ready = try #require(status.condition(ofType: "Ready"))
        #expect(ready.status == .false && ready.reason == "ExecFailed")
        #expect(ready.message.contains("it exited with status 3"))
        #expect(ready.message.contains("inherited=[] [] fetching https://[redacted]@forge/x"), "\(ready.message)")
        #expect(ready.message.contains("Authorization: Bearer [redacted]"), "\(ready.message)")
        #expect(!ready.message.contains("\n1\n2\n3\n"), "only the tail of standard error")
        #expect(ready.message.utf8.count < 2200)
        let history = try await runGitChecked(["--git-dir", exchange.remote, "log", "-p", "main"]).stdout
        #expect(!history.contains(secret))
        #expect(!history.contains("abc.def"))

        // --pass-env gives the program the variable; its value is still redacted.
        let passed = try await exchange.giter(
            [
                "reconcile", "Experiment", "--once", "--pass-env", "GITER_TOKEN", "--exec",
                #"echo "token=$GITER_TOKEN" >&2; exit 1"#,
            ],
            environment: ["GITER_TOKEN": secret])
        #expect(passed.status == 1)
        let message = try #require(try await Self.stored(exchange, "sort-1").resource.status?.condition(ofType: "Ready")?.message)
        #expect(message.contains("token=[redacted]"), "\(message)")
    }

    @Test(
        "Output that is not a status, too much output and a run past --timeout are failures with a clear message",
        arguments: [
            ("echo 'not json'", "it printed no status"),
            ("echo '[1, 2]'", "not an object holding the status"),
            ("head -c 2000000 /dev/zero | tr '\\0' 'x'", "it printed more than 1048576 bytes"),
            ("sleep 60 & sleep 60", "did not finish within 0.3 seconds"),
        ])
    func badRunsFail(_ command: String, _ message: String) async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        // Only the run that must outlive its limit gets a short one: under load the others may take seconds.
        let timeout = message.hasPrefix("did not finish") ? "300ms" : "120s"
        let result = try await exchange.giter(["reconcile", "Experiment", "--once", "--timeout", timeout, "--exec", command])
        #expect(result.status == 1, "\(result.stderr)")
        let ready = try #require(try await Self.stored(exchange, "sort-1").resource.status?.condition(ofType: "Ready"))
        #expect(ready.status == .false)
        #expect(ready.message.contains(message), "\(ready.message)")
    }

    @Test("It reconciles -n's namespace (default: default); -A every namespace")
    func namespaces() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(
            ExchangeFixture.experiment("a") + "---\n" + ExchangeFixture.experiment("b", namespace: "lab") + "---\n"
                + ExchangeFixture.experiment("c", namespace: "other"))
        func reconciled() async throws -> [String] {
            let reader = ExchangeIdentity(name: "Reader", email: "reader@example.com", role: .producer)
            let store = try await exchange.store(reader, mirror: "namespace-reader")
            try await store.refresh()
            return try await store.list(.all).filter { $0.isStatusCurrent }.map(\.key.name)
        }
        let program = #"echo '{"phase": "Done"}'"#
        let plain = try await exchange.giter(["reconcile", "Experiment", "--once", "--exec", program])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("reconciling Experiment in namespace \"default\""))
        #expect(try await reconciled() == ["a"])
        let lab = try await exchange.giter(["reconcile", "Experiment", "-n", "lab", "--once", "--exec", program])
        #expect(lab.status == 0, "\(lab.stderr)")
        #expect(try await reconciled().sorted() == ["a", "b"])
        let all = try await exchange.giter(["reconcile", "Experiment", "-A", "--once", "--exec", program])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stderr.contains("reconciling Experiment in any namespace"))
        #expect(try await reconciled().sorted() == ["a", "b", "c"])
    }

    @Test("Usage errors")
    func usage() async throws {
        let exchange = try await ExchangeFixture()
        let noExec = try await exchange.giter(["reconcile", "Experiment"])
        #expect(noExec.status == 64)
        let concurrency = try await exchange.giter(["reconcile", "Experiment", "--exec", "true", "--concurrency", "0"])
        #expect(concurrency.status == 64)
        #expect(concurrency.stderr.contains("--concurrency must be between 1 and 256"))
    }
}
