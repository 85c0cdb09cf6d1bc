import Foundation
import Giter
import Testing

@Suite("Condition lists")
struct ConditionTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    let t1 = Date(timeIntervalSince1970: 1_700_000_100)
    let t2 = Date(timeIntervalSince1970: 1_700_000_200)

    func ready(
        _ status: Condition.Status,
        reason: String = "Done",
        message: String = "",
        generation: Int64? = 1,
        at time: Date = Condition.unsetTime
    ) -> Condition {
        Condition(
            type: "Ready",
            status: status,
            observedGeneration: generation,
            lastTransitionTime: time,
            reason: reason,
            message: message
        )
    }

    @Test func appendsANewConditionAndStampsItWithNow() {
        var conditions: [Condition] = []
        let changed = conditions.setCondition(ready(.true), now: t0)
        #expect(changed)
        #expect(conditions.count == 1)
        #expect(conditions[0].lastTransitionTime == t0)
        #expect(conditions[0].status == .true)
    }

    @Test func keepsTheTransitionTimeOfANewConditionWhenSet() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.false, at: t1), now: t2)
        #expect(conditions.condition(ofType: "Ready")?.lastTransitionTime == t1)
    }

    @Test func appendsConditionsOfOtherTypesInOrder() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.true), now: t0)
        conditions.setCondition(Condition(type: "Progressing", status: .false, reason: "Idle"), now: t1)
        #expect(conditions.map(\.type) == ["Ready", "Progressing"])
    }

    @Test func statusChangeMovesTheTransitionTimeToNow() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.false, reason: "Pending"), now: t0)
        let changed = conditions.setCondition(ready(.true, reason: "Done"), now: t1)
        #expect(changed)
        #expect(conditions.count == 1)
        #expect(conditions[0].status == .true)
        #expect(conditions[0].reason == "Done")
        #expect(conditions[0].lastTransitionTime == t1)
    }

    @Test func statusChangeTakesTheNewTransitionTimeWhenSet() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.false), now: t0)
        conditions.setCondition(ready(.unknown, at: t1), now: t2)
        #expect(conditions[0].lastTransitionTime == t1)
    }

    @Test func sameStatusKeepsTheTransitionTimeButUpdatesTheRest() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.true, reason: "Started", message: "a", generation: 1), now: t0)
        let changed = conditions.setCondition(
            ready(.true, reason: "Finished", message: "b", generation: 2, at: t2),
            now: t1
        )
        #expect(changed)
        #expect(conditions[0].lastTransitionTime == t0)
        #expect(conditions[0].reason == "Finished")
        #expect(conditions[0].message == "b")
        #expect(conditions[0].observedGeneration == 2)
    }

    @Test(arguments: [
        (reason: "Other", message: "", generation: Int64?(1)),
        (reason: "Done", message: "changed", generation: Int64?(1)),
        (reason: "Done", message: "", generation: Int64?(2)),
        (reason: "Done", message: "", generation: Int64?.none),
    ])
    func eachFieldChangeIsReported(reason: String, message: String, generation: Int64?) {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.true, reason: "Done", message: "", generation: 1), now: t0)
        let changed = conditions.setCondition(
            ready(.true, reason: reason, message: message, generation: generation),
            now: t1
        )
        #expect(changed)
        #expect(conditions[0] == ready(.true, reason: reason, message: message, generation: generation, at: t0))
    }

    @Test func settingTheSameConditionAgainChangesNothing() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.true, message: "ok"), now: t0)
        let before = conditions
        let changed = conditions.setCondition(ready(.true, message: "ok"), now: t2)
        #expect(!changed)
        #expect(conditions == before)
    }

    @Test func lookupAndRemoval() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.true), now: t0)
        conditions.setCondition(Condition(type: "Degraded", status: .false, reason: "Healthy"), now: t0)
        #expect(conditions.isTrue("Ready"))
        #expect(!conditions.isFalse("Ready"))
        #expect(conditions.isFalse("Degraded"))
        #expect(!conditions.isTrue("Missing") && !conditions.isFalse("Missing"))
        #expect(conditions.condition(ofType: "Degraded")?.reason == "Healthy")
        #expect(conditions.condition(ofType: "Missing") == nil)
        let removed = conditions.removeCondition(ofType: "Ready")
        let removedAgain = conditions.removeCondition(ofType: "Ready")
        #expect(removed)
        #expect(!removedAgain)
        #expect(conditions.map(\.type) == ["Degraded"])
    }

    @Test func unknownStatusIsNeitherTrueNorFalse() {
        var conditions: [Condition] = []
        conditions.setCondition(ready(.unknown), now: t0)
        #expect(!conditions.isTrue("Ready"))
        #expect(!conditions.isFalse("Ready"))
    }

    @Test func statusValues() {
        #expect(Condition.Status.allCases.map(\.rawValue) == ["True", "False", "Unknown"])
        #expect(Condition.Status(true) == .true)
        #expect(Condition.Status(false) == .false)
        #expect(Condition.Status(rawValue: "true") == nil)
        #expect("\(Condition.Status.unknown)" == "Unknown")
    }

    @Test func unsetTimeIsGoZeroTime() {
        #expect(Condition.unsetTime.timeIntervalSince1970 == -62_135_596_800)
        #expect(!ready(.true).hasTransitionTime)
        #expect(!ready(.true, at: .distantPast).hasTransitionTime)
        #expect(ready(.true, at: t0).hasTransitionTime)
    }

    @Test func statusProtocolHelpers() {
        var status = TestStatus()
        status.conditions.setCondition(ready(.true), now: t0)
        #expect(status.isTrue("Ready"))
        #expect(status.condition(ofType: "Ready")?.lastTransitionTime == t0)
        #expect(!status.isTrue("Other"))
    }
}
