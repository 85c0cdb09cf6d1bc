import Foundation
import Giter
import GiterTesting
import Testing

/// The kstatus conventions the controller writes: `Reconciling` only across
/// a requeue, `Stalled` on a terminal error, `Ready` when done, each
/// condition with `observedGeneration`.
@Suite("Controller conditions (kstatus)")
struct ControllerConditionTests {
    let exchange = Exchange()

    @Test("A requeue writes Reconciling=True; the reconcile that ends with Ready=True removes it")
    func requeueWritesReconcilingUntilReady() async throws {
        let key = report("slow").key
        try await exchange.producer.apply(report("slow"))
        let reconciler = ScriptedReconciler { _, context in
            if context.attempt == 1, try await exchange.consumerStore.get(context.key)?.resource.status == nil {
                var working = TestStatus()
                working.conditions.setCondition(Condition(type: "Ready", status: .false, reason: "Rendering"))
                return .requeue(working, after: .seconds(30))
            }
            return .done(readyStatus())
        }
        let clock = TestClock()
        try await withController(exchange, reconciler, options: clockOptions, clock: clock) { controller in
            await controller.waitUntilIdle()
            let working = try #require(try await exchange.producer.get(key))
            let status = try #require(working.resource.status)
            #expect(status.condition(ofType: "Reconciling")?.status == .true)
            #expect(status.condition(ofType: "Reconciling")?.reason == "Requeued")
            #expect(status.conditions.allSatisfy { $0.observedGeneration == 1 }, "\(status.conditions)")
            #expect(working.reconcileState == .inProgress)
            #expect(!working.conditionHolds("Ready"))

            try await clock.waitForSleepers(2)
            clock.advance(by: .seconds(30))
            await reconciler.waitForCalls(2)
            await controller.waitUntilIdle()
        }
        let done = try #require(try await exchange.producer.get(key))
        let status = try #require(done.resource.status)
        #expect(status.condition(ofType: "Reconciling") == nil, "\(status.conditions)")
        #expect(status.condition(ofType: "Ready")?.status == .true)
        #expect(status.conditions.allSatisfy { $0.observedGeneration == 1 })
        #expect(done.reconcileState == .current)
        #expect(done.conditionHolds("Ready"))
        #expect(reconciler.calls.count == 2)
    }

    @Test("A one-shot reconcile writes exactly one status commit, with Ready=True even when the reconciler set none")
    func oneShotReconcileWritesOneCommit() async throws {
        try await exchange.producer.apply(report("once"))
        let pushesBefore = exchange.remote.successfulPushes
        let reconciler = ScriptedReconciler { _, _ in
            var status = TestStatus()
            status.url = "https://example.com/once"
            return .done(status)
        }
        try await withController(exchange, reconciler, options: clockOptions, clock: TestClock()) { controller in
            await controller.waitUntilIdle()
        }
        #expect(exchange.remote.successfulPushes - pushesBefore == 1)
        let done = try #require(try await exchange.producer.get(report("once").key))
        let status = try #require(done.resource.status)
        #expect(status.conditions.map(\.type) == ["Ready"])
        #expect(status.condition(ofType: "Ready")?.reason == "Reconciled")
        #expect(status.condition(ofType: "Ready")?.observedGeneration == 1)
        #expect(done.reconcileState == .current)
    }

    @Test("A terminal error writes Stalled=True and Ready=False; a later spec that reconciles removes Stalled")
    func terminalErrorStallsUntilTheSpecChanges() async throws {
        let key = report("bad").key
        try await exchange.producer.apply(report("bad", schedule: "never"))
        let reconciler = ScriptedReconciler { report, _ in
            if report.spec.schedule == "never" {
                throw TerminalError(reason: "InvalidSchedule", message: "cannot run never")
            }
            // Starts from the status there is, as reconcilers do: it still says Stalled=True.
            var status = report.status ?? TestStatus()
            status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Rendered"))
            return .done(status)
        }
        try await withController(exchange, reconciler) { controller in
            await controller.waitUntilIdle()
            let failed = try #require(try await exchange.producer.get(key))
            let status = try #require(failed.resource.status)
            #expect(status.condition(ofType: "Stalled")?.status == .true)
            #expect(status.condition(ofType: "Ready")?.status == .false)
            #expect(status.conditions.allSatisfy { $0.observedGeneration == 1 })
            #expect(failed.reconcileState == .failed)

            try await exchange.producer.apply(report("bad", schedule: "@daily"))
            let ready = try await exchange.producer.wait(for: key, timeout: .seconds(60))
            #expect(ready.resource.status?.condition(ofType: "Stalled") == nil)
            #expect(ready.resource.status?.conditions.allSatisfy { $0.observedGeneration == 2 } == true)
            #expect(ready.reconcileState == .current)
        }
    }

    @Test("The kstatus states and conditionHolds: stale conditions and Reconciling=True do not count")
    func reconcileStates() {
        func stored(_ conditions: [Condition], observed: Int64? = 2) -> StoredResource<Report> {
            var resource = report("s")
            resource.metadata.generation = 2
            var status = TestStatus()
            status.observedGeneration = observed
            status.conditions = conditions
            resource.status = status
            return StoredResource(resource: resource, specDigest: "d", observedSpecDigest: "d")
        }
        let ready = Condition(type: "Ready", status: .true, observedGeneration: 2, reason: "Done")
        let reconciling = Condition(type: "Reconciling", status: .true, observedGeneration: 2, reason: "Requeued")
        let stalled = Condition(type: "Stalled", status: .true, observedGeneration: 2, reason: "Bad")
        #expect(stored([ready]).reconcileState == .current)
        #expect(stored([ready]).conditionHolds("Ready"))
        #expect(stored([ready], observed: 1).reconcileState == .inProgress)
        #expect(!stored([ready], observed: 1).conditionHolds("Ready"))
        #expect(stored([ready, reconciling]).reconcileState == .inProgress)
        #expect(!stored([ready, reconciling]).conditionHolds("Ready"))
        #expect(stored([reconciling]).conditionHolds("Reconciling"))
        #expect(stored([stalled]).reconcileState == .failed)
        var old = ready
        old.observedGeneration = 1
        #expect(!stored([old]).conditionHolds("Ready"), "set for an older generation")
        old.observedGeneration = nil
        #expect(stored([old]).conditionHolds("Ready"), "no observedGeneration: the status's counts")
        #expect(stored([]).reconcileState == .current)
    }
}
