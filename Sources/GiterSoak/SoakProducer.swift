import Foundation
import Giter
import Logging

/// A soak producer process: creates, updates and archives its own
/// resources until the stop file appears.
///
/// Before each write it appends the write to `intents.log`; after the SDK
/// reported success it appends an acknowledgement to `ledger.log` (both
/// fsynced). A producer killed between the two finds the intent without
/// its acknowledgement when it starts again and makes the same write again:
/// its intended state, which the SDK must apply once (`unchanged` when the
/// first attempt had landed).
///
/// ```
/// intents.log   intent <seq> apply <name> <revision>     intent <seq> archive <name>
/// ledger.log    ack <seq> apply <name> <generation> <digest> <revision>     ack <seq> archive <name>
/// ```
struct SoakProducer {
    /// One write of the producer.
    enum Operation: Hashable {
        case apply(name: String, revision: Int)
        case archive(name: String)

        var fields: [String] {
            switch self {
            case .apply(let name, let revision): ["apply", name, String(revision)]
            case .archive(let name): ["archive", name]
            }
        }

        init?(fields: ArraySlice<String>) {
            let fields = Array(fields)
            switch fields.first {
            case "apply" where fields.count >= 3:
                guard let revision = Int(fields[2]) else { return nil }
                self = .apply(name: fields[1], revision: revision)
            case "archive" where fields.count >= 2:
                self = .archive(name: fields[1])
            default:
                return nil
            }
        }
    }

    /// What the journals say: each live resource's latest revision, the
    /// archived ones, and the write that was under way, if any.
    struct State {
        var revisions: [String: Int] = [:]
        var archived: Set<String> = []
        var nextIndex = 1
        var nextSequence = 1
        var pending: (sequence: Int, operation: Operation)?

        init(intents: [[String]], acks: [[String]]) {
            var lastAck = 0
            for line in acks where line.first == "ack" && line.count >= 2 {
                lastAck = max(lastAck, Int(line[1]) ?? 0)
            }
            for line in intents where line.first == "intent" && line.count >= 3 {
                guard let sequence = Int(line[1]), let operation = Operation(fields: line[2...]) else { continue }
                record(operation)
                nextSequence = max(nextSequence, sequence + 1)
                pending = sequence > lastAck ? (sequence, operation) : nil
            }
        }

        mutating func record(_ operation: Operation) {
            switch operation {
            case .apply(let name, let revision):
                revisions[name] = revision
                if let index = name.split(separator: "-").last.flatMap({ Int($0) }) {
                    nextIndex = max(nextIndex, index + 1)
                }
            case .archive(let name):
                revisions[name] = nil
                archived.insert(name)
            }
        }
    }

    let options: ChildOptions
    let logger: Logger

    func run() async throws {
        let intents = try Journal(path: options.folder + "/intents.log")
        let ledger = try Journal(path: options.folder + "/ledger.log")
        var state = State(intents: Journal.lines(at: intents.path), acks: Journal.lines(at: ledger.path))
        let store = GitResourceStore<SoakItem>(
            transport: try await options.openTransport(),
            resourceType: SoakAPI.resourceType,
            options: StoreOptions(
                identity: SoakAPI.identity(options.id, role: .producer), logger: Logger(label: "soak.\(options.id).store"))
        )
        let producer = Producer(store: store)
        if let pending = state.pending {
            logger.info("applying again the write under way when the last process ended: \(pending.operation)")
            let landed = try await perform(pending.operation, sequence: pending.sequence, producer: producer, ledger: ledger)
            // For the driver's figures: had the killed process's write landed before it died?
            PhaseLog.line("reapplied \(pending.sequence) \(landed ? "landed-before" : "applied-now")")
            state.pending = nil
        }
        while !options.stopRequested {
            guard let operation = await next(state, producer: producer) else { continue }
            let sequence = state.nextSequence
            try intents.append((["intent", String(sequence)] + operation.fields).joined(separator: " "))
            state.nextSequence += 1
            state.record(operation)
            _ = try await perform(operation, sequence: sequence, producer: producer, ledger: ledger)
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...150)))
        }
    }

    /// The next write: a new resource while there are few, else mostly an
    /// update, sometimes an archive of a resource the consumer finished.
    private func next(_ state: State, producer: Producer<SoakItem>) async -> Operation? {
        let live = state.revisions.keys.sorted()
        let roll = Double.random(in: 0..<1)
        if live.count < 3 || (roll < 0.15 && live.count < 6) {
            return .apply(name: "\(options.id)-\(state.nextIndex)", revision: 1)
        }
        if roll < 0.3 {
            // The oldest resource the consumer reported Ready for its current spec.
            // A failed read (the connection cut, the server down) only means no archive this time.
            for name in live.prefix(3) {
                let key = ResourceKey(namespace: SoakAPI.namespace, kind: SoakAPI.kind, name: name)
                guard let stored = try? await producer.get(key) else { break }
                if stored.isStatusCurrent, stored.resource.status?.isTrue("Ready") == true {
                    return .archive(name: name)
                }
            }
        }
        guard let name = live.randomElement(), let revision = state.revisions[name] else { return nil }
        return .apply(name: name, revision: revision + 1)
    }

    /// Makes one write until the SDK reports success, then records it in
    /// the ledger. Returns whether the write was there already (`unchanged`,
    /// or an archive that found nothing live).
    private func perform(_ operation: Operation, sequence: Int, producer: Producer<SoakItem>, ledger: Journal) async throws -> Bool {
        var failures = 0
        while true {
            do {
                if let (ack, landed) = try await attempt(operation, producer: producer) {
                    let line = (["ack", String(sequence)] + ack).joined(separator: " ")
                    try ledger.append(line)
                    PhaseLog.line(line)
                    return landed
                }
            } catch let error as SoakError {
                throw error
            } catch {
                logger.notice("\(operation) failed, trying again: \(error)")
            }
            failures += 1
            try await Task.sleep(for: .milliseconds(min(2000, 50 << min(failures, 6))))
        }
    }

    /// One attempt: the acknowledgement's fields and whether the write was
    /// there already, or `nil` to try again.
    private func attempt(_ operation: Operation, producer: Producer<SoakItem>) async throws -> ([String], Bool)? {
        switch operation {
        case .apply(let name, let revision):
            let item = SoakAPI.item(name: name, owner: options.id, revision: revision)
            let outcome = try await producer.apply(item)
            let generation: Int64
            var landed = false
            switch outcome {
            case .created(let written), .configured(let written):
                generation = written
            case .unchanged:
                landed = true
                // The same write landed before the last process was killed.
                guard let stored = try await producer.store.get(SoakAPI.key(name)) else {
                    throw SoakError("\(name): apply said unchanged but the resource is not there")
                }
                generation = stored.generation
            case .notApplied(let reason):
                logger.notice("apply of \(name) not applied, trying again: \(reason)")
                return nil
            default:
                throw SoakError("apply of \(name) revision \(revision): \(outcome)")
            }
            return (["apply", name, String(generation), item.spec.digest, String(revision)], landed)
        case .archive(let name):
            let outcome = try await producer.archive(SoakAPI.key(name))
            switch outcome {
            case .archived:
                return (["archive", name], false)
            case .notFound:
                // Archived before the last process was killed; the audit checks it.
                return (["archive", name], true)
            case .notApplied(let reason):
                logger.notice("archive of \(name) not applied, trying again: \(reason)")
                return nil
            default:
                throw SoakError("archive of \(name): \(outcome)")
            }
        }
    }
}

extension SoakAPI {
    /// The key of the resource `name`.
    static func key(_ name: String) -> ResourceKey {
        ResourceKey(namespace: namespace, kind: kind, name: name)
    }
}
