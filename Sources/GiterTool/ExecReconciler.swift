import Foundation
import Giter
import Logging
import GiterCodec
import Synchronization

/// The reconciler of `giter reconcile --exec`: any program, run through
/// ``ExecProgram`` with the resource as JSON on its standard input.
///
/// - Exit 0: done; the status is what the program printed (a JSON object),
///   or the current one when it printed nothing.
/// - Exit 75 (`EX_TEMPFAIL`): reconcile again after ``requeueAfter``,
///   publishing the printed status, if any.
/// - Anything else (another exit status, a signal, the time limit, too much
///   output, output that is not a status): published as `Ready=False`
///   (reason `ExecFailed`) with the last lines of standard error, redacted
///   and bounded, and tried again after the delays of the controller's
///   ``ControllerOptions/errorBackoff``.
///
/// The controller sets `observedGeneration` on the status and on each of
/// its conditions, and `Ready=True` when the program set no `Ready`.
final class ExecReconciler: Reconciler {
    typealias Resource = DynamicResource

    /// The exit status that asks to be run again later (`EX_TEMPFAIL`).
    static let requeueStatus: Int32 = 75
    /// The most bytes of a printed status.
    static let outputLimit = 1 << 20

    let command: String
    /// The tool's environment with the secrets not passed removed.
    let environment: [String: String]
    let redaction: SecretRedaction
    let timeLimit: Duration
    let requeueAfter: Duration
    let backoff: RetryPolicy
    /// Failed runs in a row, per resource: the next retry waits longer.
    private let failures = Mutex<[ResourceKey: Int]>([:])

    init(
        command: String, environment: [String: String], redaction: SecretRedaction, timeLimit: Duration,
        requeueAfter: Duration, backoff: RetryPolicy
    ) {
        self.command = command
        self.environment = environment
        self.redaction = redaction
        self.timeLimit = timeLimit
        self.requeueAfter = requeueAfter
        self.backoff = backoff
    }

    /// The resources whose last run failed.
    var failing: [ResourceKey] { failures.withLock { $0.keys.sorted() } }

    /// `environment` without the variables a program does not inherit
    /// unless `passed` names them.
    static func childEnvironment(_ environment: [String: String], passing passed: [String]) -> [String: String] {
        environment.filter { SecretRedaction.secretVariables.contains($0.key) == false || passed.contains($0.key) }
    }

    func reconcile(_ resource: DynamicResource, context: ReconcileContext) async throws
        -> ReconcileResult<DynamicStatus>
    {
        let current = resource.status ?? DynamicStatus()
        var variables = environment
        variables["GITER_KEY"] = "\(context.key)"
        variables["GITER_NAMESPACE"] = context.key.namespace
        variables["GITER_KIND"] = context.key.kind
        variables["GITER_NAME"] = context.key.name
        variables["GITER_GENERATION"] = "\(context.generation)"
        variables["GITER_IDEMPOTENCY_KEY"] = context.idempotencyKey
        variables["GITER_ATTEMPT"] = "\(context.attempt)"
        let program = ExecProgram(
            command: command, environment: variables, timeLimit: timeLimit, outputLimit: Self.outputLimit)
        let input = Array(try DocumentEncoder().encodeJSON(resource).utf8) + [0x0A]
        let outcome = try await program.run(input: input)
        let failure: String
        switch outcome.ending {
        case .exited(0), .exited(Self.requeueStatus):
            do {
                var status = try Self.status(printed: outcome.output, current: current)
                let requeue = outcome.ending == .exited(Self.requeueStatus)
                failures.withLock { $0[context.key] = nil }
                if requeue { return .requeue(status, after: requeueAfter) }
                if outcome.output.allSatisfy(\.isASCIIWhitespace) {
                    // Nothing printed: done, whatever an earlier failure said.
                    status.conditions.setCondition(
                        Condition(type: StandardCondition.ready, status: .true, reason: "Succeeded"), now: .wholeSecondsNow)
                }
                return .done(status)
            } catch {
                failure = "it printed no status: \(error)"
            }
        case .exited(let code):
            failure = "it exited with status \(code)"
        case .signaled(let signal):
            failure = "it was ended by signal \(signal)"
        case .timedOut:
            failure = "it did not finish within \(timeLimit) and was killed (see --timeout)"
        case .outputTooLarge:
            failure = "it printed more than \(Self.outputLimit) bytes and was killed: print only the status"
        }
        return failed(current, context: context, failure: failure, errorTail: outcome.errorTail)
    }

    /// `current` with `Ready=False` saying why the program failed, requeued
    /// after the controller's error backoff.
    private func failed(_ current: DynamicStatus, context: ReconcileContext, failure: String, errorTail: String)
        -> ReconcileResult<DynamicStatus>
    {
        let count = failures.withLock { failures in
            failures[context.key, default: 0] += 1
            return failures[context.key, default: 1]
        }
        let delay = backoff.delay(afterFailures: count)
        let tail = redaction.redact(errorTail).trimmingCharacters(in: .whitespacesAndNewlines)
        var message = "the program failed: \(failure)"
        if !tail.isEmpty { message += "; standard error ends: \(tail)" }
        context.logger.warning("\(message); retrying in \(delay)")
        var status = current
        status.conditions.setCondition(
            Condition(type: StandardCondition.ready, status: .false, reason: "ExecFailed", message: message),
            now: .wholeSecondsNow)
        return .requeue(status, after: delay)
    }

    /// The status the program printed: a JSON object, its conditions'
    /// transition times kept from `current` while their status stays (and
    /// set now when it flips); `current` when it printed nothing.
    static func status(printed output: [UInt8], current: DynamicStatus) throws -> DynamicStatus {
        guard !output.allSatisfy(\.isASCIIWhitespace) else { return current }
        let node = try JSONReader(limits: ParseLimits(maxDepth: 64, maxInputBytes: outputLimit, maxDocuments: 1))
            .read(output)
        guard var mapping = node.mapping else {
            throw ToolError("standard output is \(node.kindDescription) in JSON, not an object holding the status")
        }
        // A program need not write transition times: the unset time lets setCondition decide.
        if let conditions = mapping["conditions"]?.sequence {
            mapping["conditions"] = .sequence(
                conditions.map { condition in
                    guard var fields = condition.mapping, fields["lastTransitionTime"] == nil else { return condition }
                    fields["lastTransitionTime"] = .string("0001-01-01T00:00:00Z")
                    return .mapping(fields)
                })
        }
        var printed = try DocumentDecoder().decode(DynamicStatus.self, from: .mapping(mapping))
        var merged: [Condition] = []
        for condition in printed.conditions {
            if let earlier = current.condition(ofType: condition.type) { merged.append(earlier) }
            merged.setCondition(condition, now: .wholeSecondsNow)
        }
        printed.conditions = merged
        return printed
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
