import Foundation
import GitServerFixtures
import Giter
import GiterLibGit2
import Logging

/// The soak's driver: starts the servers and the proxies, creates the
/// exchange, runs the producers and consumers under chaos for the given
/// time, lets the exchange converge, audits the history and prints the
/// figures and the last line.
struct SoakDriver {
    struct Settings: Sendable {
        var duration: Duration
        var servers: [SoakServer.Kind]
        var backends: [SoakBackend]
        var producers: Int
        var consumers: Int
        var convergeTimeout: Duration
        var folder: String
        var executable: String
        var keep: Bool
        /// Adds an acknowledged apply that never happened to the audit's ledger (the soak's own test).
        var injectLostApply = false
    }

    let settings: Settings
    let logger: Logger

    /// Runs the soak; returns the process's exit status (0 only for lost 0, violations 0, converged yes).
    func run() async throws -> Int32 {
        Platform.ignoreBrokenPipes()
        let folder = settings.folder
        try FileManager.default.createDirectory(atPath: folder + "/repos", withIntermediateDirectories: true)
        let repositories = URL(fileURLWithPath: folder + "/repos")
        let bare = try await BareRepository.create(at: repositories.appendingPathComponent("exchange.git"), seeded: false)
        let producerIDs = (1...settings.producers).map { "p\($0)" }
        let consumerIDs = (1...settings.consumers).map { "c\($0)" }
        try await commitContract(bare: bare.path, producers: producerIDs, consumers: consumerIDs)
        print("soak: exchange \(bare.path); servers \(settings.servers.map(\.rawValue).joined(separator: ",")); "
            + "backends \(settings.backends.map(\.rawValue).joined(separator: ",")); "
            + "\(settings.producers) producers, \(settings.consumers) consumers; chaos for \(settings.duration)")

        var servers: [SoakServer] = []
        defer { if !settings.keep { try? FileManager.default.removeItem(atPath: folder) } }
        do {
            for kind in settings.servers {
                servers.append(try await SoakServer.start(kind, repositories: repositories, repository: "exchange", folder: folder))
            }
            let result = try await soak(servers: servers, bare: bare.path, producers: producerIDs, consumers: consumerIDs)
            for server in servers { await server.stop() }
            return result
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
    }

    /// The admin's first commit: the policy and the definition, straight into the bare repository.
    private func commitContract(bare: String, producers: [String], consumers: [String]) async throws {
        let transport = try await LibGit2Transport(
            configuration: RemoteConfiguration(url: bare, branch: SoakAPI.branch, mirrorPath: settings.folder + "/admin.git"))
        let admin = SoakAPI.identity("admin", role: .producer)
        let commit = try await transport.createCommit(
            CommitRequest(
                parent: nil,
                edits: [
                    .write(path: ExchangePolicy.path, contents: Array(SoakAPI.policyText(producers: producers, consumers: consumers).utf8)),
                    .write(path: SoakAPI.definitionPath, contents: Array(SoakAPI.definition.utf8)),
                ],
                author: Signature(name: admin.name, email: admin.email),
                message: "The soak's contract: producers write SoakItem specs, consumers their status"
            ))
        guard case .pushed = try await transport.push(commit, expecting: nil) else {
            throw SoakError("the admin's first commit was not accepted by \(bare)")
        }
    }

    private func makeSlots(servers: [SoakServer], producers: [String], consumers: [String]) throws -> [ChildSlot] {
        let folder = settings.folder
        var slots: [ChildSlot] = []
        for (offset, (role, ids)) in [(ChildSlot.Role.producer, producers), (.consumer, consumers)].enumerated() {
            for (index, id) in ids.enumerated() {
                // The server and backend pairs in turn, consumers starting where
                // the producers' first round of servers ends, so that every
                // server sees every backend as far as the numbers go.
                let pairs = servers.count * settings.backends.count
                let pair = (index + offset * servers.count) % pairs
                let server = servers[pair % servers.count]
                let backend = settings.backends[(pair % servers.count + pair / servers.count) % settings.backends.count]
                let childFolder = "\(folder)/\(role.rawValue)s/\(id)"
                try FileManager.default.createDirectory(atPath: childFolder, withIntermediateDirectories: true)
                let stopFile = "\(folder)/stop-\(role.rawValue)s"
                let arguments =
                    [role.rawValue, "--id", id, "--remote", server.url, "--backend", backend.rawValue, "--folder", childFolder,
                     "--stop-file", stopFile] + server.childArguments
                slots.append(
                    ChildSlot(
                        id: id, role: role, backend: backend, server: server.kind.rawValue, executable: settings.executable,
                        arguments: arguments,
                        environment: server.childEnvironment.merging(
                            ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"]
                        ) { $1 },
                        logPath: childFolder + "/process.log", stopFile: stopFile))
            }
        }
        return slots
    }

    private func soak(servers: [SoakServer], bare: String, producers: [String], consumers: [String]) async throws -> Int32 {
        let slots = try makeSlots(servers: servers, producers: producers, consumers: consumers)
        for slot in slots {
            print("soak: \(slot.id) \(slot.role) over \(slot.server) with \(slot.backend)")
        }
        let chaos = Chaos(slots: slots, servers: servers, duration: settings.duration, repository: bare)
        let clock = ContinuousClock()
        let started = clock.now
        var converged = false
        var convergedAfter: Duration = .zero
        var chaosTime: Duration = .zero
        var stuck: [String] = []
        await withTaskGroup(of: Void.self) { group in
            for slot in slots where slot.role == .consumer { group.addTask { await slot.supervise() } }
            // The producers run in a group of their own, so that the driver can wait for them alone.
            group.addTask {
                await withTaskGroup(of: Void.self) { producersGroup in
                    for slot in slots where slot.role == .producer { producersGroup.addTask { await slot.supervise() } }
                }
            }
            await chaos.run()
            chaosTime = clock.now - started
            print("soak: chaos over after \(chaosTime); \(chaos.summary)")
            // Producers finish the write under way and end; then the consumers catch up.
            _ = FileManager.default.createFile(atPath: settings.folder + "/stop-producers", contents: nil)
            let convergeStart = clock.now
            let deadline = convergeStart.advanced(by: settings.convergeTimeout)
            while slots.contains(where: { $0.role == .producer && !$0.isFinished }) && clock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
            }
            stuck += slots.filter { $0.role == .producer && !$0.isFinished }.map(\.id)
            let acks = SoakAudit.acks(ledgers: slots.filter { $0.role == .producer }.map { ($0.id, $0.ledgerPath) })
            do {
                let observer = try await ConvergenceObserver(bare: bare, folder: settings.folder)
                while clock.now < deadline {
                    if try await observer.isConverged(acks: acks) {
                        converged = stuck.isEmpty
                        break
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
                if !converged {
                    // What was missing, and what each process said last: for a failure in CI.
                    for line in try await observer.lagging(acks: acks).prefix(10) { print("soak: not converged: \(line)") }
                    for slot in slots {
                        print("soak: \(slot.id) log ends:\n" + slot.logTail(5).split(separator: "\n").map { "      \($0.prefix(400))" }.joined(separator: "\n"))
                    }
                }
            } catch {
                print("soak: cannot watch the exchange converge: \(error)")
            }
            convergedAfter = clock.now - convergeStart
            _ = FileManager.default.createFile(atPath: settings.folder + "/stop-consumers", contents: nil)
            let end = clock.now.advanced(by: .seconds(30))
            while slots.contains(where: { !$0.isFinished }) && clock.now < end {
                try? await Task.sleep(for: .milliseconds(100))
            }
            for slot in slots where !slot.isFinished {
                if !stuck.contains(slot.id) { stuck.append(slot.id) }
                slot.stopForGood()
            }
            await group.waitForAll()
        }

        // The audit reads the bare repository itself, not through a server.
        let acks = SoakAudit.acks(ledgers: slots.filter { $0.role == .producer }.map { ($0.id, $0.ledgerPath) })
        var audited = acks
        if settings.injectLostApply {
            audited.append(
                SoakAudit.Ack(producer: "p1", operation: "apply", name: "p1-1", generation: 999, digest: "0000000000000000", revision: 1))
        }
        let reader = try await LibGit2Transport(
            configuration: RemoteConfiguration(url: bare, branch: SoakAPI.branch, mirrorPath: settings.folder + "/audit.git"))
        guard let tip = try await reader.fetch() else { throw SoakError("the exchange has no branch \(SoakAPI.branch)") }
        var audit = SoakAudit()
        try await audit.run(repository: bare, reader: reader, tip: tip, acks: audited)

        let applies = acks.filter { $0.operation == "apply" }.count
        let archives = acks.count - applies
        let kills = slots.reduce(into: [ChildSlot.Landing: Int]()) { total, slot in
            total.merge(slot.kills, uniquingKeysWith: +)
        }
        let killCount = kills.values.reduce(0, +)
        let drops = servers.map { $0.proxy.counts.drops }.reduce(0, +)
        let seconds = Double(chaosTime.components.seconds) + Double(chaosTime.components.attoseconds) / 1e18
        func rate(_ count: Int) -> String { String(format: "%.1f", Double(count) / max(seconds, 0.001)) }
        print("soak: figures")
        print("  load held      \(rate(applies)) applies/s and \(rate(audit.statusWrites)) statuses/s over \(String(format: "%.0f", seconds)) s of chaos"
            + " (\(applies) applies, \(archives) archives, \(audit.statusWrites) statuses; \(audit.commits) commits; "
            + "\(audit.resources) resources, \(audit.archived) archived)")
        print("  kills          \(killCount): " + ChildSlot.Landing.allCases.map { "mid-\($0.rawValue) \(kills[$0] ?? 0)" }.joined(separator: ", ")
            .replacingOccurrences(of: "mid-idle", with: "idle"))
        for slot in slots {
            let landed = ChildSlot.Landing.allCases.map { String(slot.kills[$0] ?? 0) }.joined(separator: "/")
            print("    \(slot.id) \(slot.role.rawValue) \(slot.server) \(slot.backend): fetch/commit/push/idle \(landed), \(slot.acks) acks")
        }
        let reapplied = slots.reduce(into: [String: Int]()) { $0.merge($1.reapplied, uniquingKeysWith: +) }
        print("  re-applied     \((reapplied["landed-before"] ?? 0) + (reapplied["applied-now"] ?? 0)) writes under way when a producer was killed, "
            + "made again by its successor: \(reapplied["landed-before"] ?? 0) had landed (unchanged), \(reapplied["applied-now"] ?? 0) had not")
        print("  server restarts \(chaos.restarts) (" + servers.map { "\($0.kind.rawValue) \(chaos.restartCount(of: $0.kind))" }.joined(separator: ", ") + "); "
            + "\(chaos.staleLocksRemoved) lock file(s) a killed receive-pack left removed at the restart, as an operator would")
        let counts = servers.map { ($0.kind, $0.proxy.counts) }
        print("  proxy          \(drops) connections cut; " + counts.map { "\($0.0.rawValue): \($0.1.accepted) accepted, \($0.1.refused) refused while down, \($0.1.drops) cut" }.joined(separator: "; "))
        print("  convergence    \(converged ? "after" : "not reached in") \(convergedAfter)")
        print("  load average   \(Platform.loadAverage())")
        // A process that ended without being killed (a crash, an error exit) is a violation:
        // the SDK must turn every fault into an error it retries, never into the end of the process.
        var unexpected = 0
        for slot in slots where !slot.unexpectedEnds.isEmpty {
            unexpected += slot.unexpectedEnds.count
            print("  unexpected ends of \(slot.id): \(slot.unexpectedEnds.count), last \(slot.unexpectedEnds.last ?? ""); its log ends:")
            print(slot.logTail(6).split(separator: "\n").map { "      \($0.prefix(300))" }.joined(separator: "\n"))
        }
        if !stuck.isEmpty { print("  did not stop   \(stuck.joined(separator: ", "))") }
        for finding in audit.findings.prefix(40) { print("  \(finding)") }
        if audit.findings.count > 40 { print("  … and \(audit.findings.count - 40) more") }
        let violations = audit.violations + unexpected
        print(
            "soak: \(applies) applies, \(audit.statusWrites) statuses, \(killCount) kills, \(chaos.restarts) restarts, "
                + "\(drops) drops, lost \(audit.lost), violations \(violations), converged \(converged ? "yes" : "no")")
        return audit.lost == 0 && violations == 0 && converged ? 0 : 1
    }
}

extension ChildSlot {
    /// A producer's ledger of acknowledged writes.
    var ledgerPath: String { (logPath as NSString).deletingLastPathComponent + "/ledger.log" }
}

/// Reads the bare repository through the SDK to see whether the exchange converged.
struct ConvergenceObserver {
    let store: GitResourceStore<SoakItem>

    init(bare: String, folder: String) async throws {
        let transport = try await LibGit2Transport(
            configuration: RemoteConfiguration(url: bare, branch: SoakAPI.branch, mirrorPath: folder + "/observer.git"))
        store = GitResourceStore(
            transport: transport, resourceType: SoakAPI.resourceType,
            options: StoreOptions(identity: SoakAPI.identity("observer", role: .consumer), logger: Logger(label: "soak.observer")))
    }

    /// Whether every live resource is its producer's last acknowledged spec,
    /// and its status is current and `Ready`.
    func isConverged(acks: [SoakAudit.Ack]) async throws -> Bool {
        try await lagging(acks: acks).isEmpty
    }

    /// What keeps the exchange from having converged, one line a resource.
    func lagging(acks: [SoakAudit.Ack]) async throws -> [String] {
        try await store.refresh()
        let live = try await store.list(.all)
        var expected: [String: Int] = [:]
        for ack in acks {
            if ack.operation == "apply" {
                expected[ack.name] = max(expected[ack.name] ?? 0, ack.revision)
            } else {
                expected[ack.name] = nil
            }
        }
        var lagging: [String] = []
        let names = Set(live.map(\.key.name))
        for name in expected.keys.sorted() where !names.contains(name) {
            lagging.append("\(name): acknowledged but not live")
        }
        for stored in live {
            let name = stored.key.name
            guard let revision = expected[name] else {
                lagging.append("\(name): live but archived by its producer")
                continue
            }
            if revision != stored.resource.spec.revision {
                lagging.append("\(name): revision \(stored.resource.spec.revision), acknowledged \(revision)")
            } else if !stored.isStatusCurrent || stored.resource.status?.isTrue("Ready") != true {
                let observed = stored.resource.status?.observedGeneration.map(String.init) ?? "none"
                lagging.append("\(name): generation \(stored.generation), status observes \(observed)")
            }
        }
        return lagging
    }
}
