import ExperimentKit
import Foundation
import Synchronization

/// Shows the experiments' phases while the demo runs: on a terminal, a
/// block of lines redrawn in place; otherwise one plain line per change.
final class LiveView: Sendable {
    private struct State {
        var drawnLines = 0
        var previous: [String: (ExperimentPhase, Int)] = [:]
    }

    private let interactive: Bool
    private let width: Int
    private let start = ContinuousClock.now
    private let state = Mutex(State())

    /// A view; `interactive` redraws in place (use it only on a terminal).
    init(interactive: Bool) {
        self.interactive = interactive
        let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 110
        self.width = max(60, columns)
    }

    /// Whether standard output is a terminal that understands ANSI escapes.
    static var standardOutputIsTerminal: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"].map { $0 != "dumb" } ?? false
    }

    /// Shows the rows' new state.
    func show(_ rows: [ExperimentProgress]) {
        if interactive {
            redraw(rows)
        } else {
            printChanges(rows)
        }
    }

    // MARK: Terminal

    private func redraw(_ rows: [ExperimentProgress]) {
        let counts = PhaseCounts(rows)
        var lines = rows.map(line(for:))
        lines.append("")
        lines.append(dim("  \(elapsed())  \(counts.finished)/\(rows.count) finished — \(counts)"))
        var output = ""
        state.withLock { state in
            if state.drawnLines > 0 { output += "\u{1B}[\(state.drawnLines)A" }
            state.drawnLines = lines.count
        }
        for line in lines { output += "\u{1B}[2K" + line + "\n" }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    private func line(for row: ExperimentProgress) -> String {
        let name = row.name.padding(toLength: 18, withPad: " ", startingAt: 0)
        let spec = "\(row.spec.workload.shortName) \(row.spec.size)".padding(toLength: 15, withPad: " ", startingAt: 0)
        let bar = progressBar(done: row.completedRepetitions, of: row.spec.repetitions, phase: row.phase)
        let phase = colour(row.phase, row.phase.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))
        let mean = row.meanMilliseconds.map { String(format: "%7.1f ms", $0) } ?? "          "
        let prefix = "  \(name) \(spec) \(bar) \(phase) \(mean)  "
        let room = max(10, width - 1 - (prefix.count - (phase.count - 9)))
        return prefix + dim(String(row.message.prefix(room)))
    }

    private func progressBar(done: Int, of total: Int, phase: ExperimentPhase) -> String {
        let filled = phase.isSuccess ? total : min(done, total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: max(0, total - filled)) + "]"
    }

    private func colour(_ phase: ExperimentPhase, _ text: String) -> String {
        let code: String
        switch phase {
        case .pending: code = "2"
        case .running, .verifying: code = "33"
        case .verified: code = "32"
        case .mismatch, .failed, .timedOut: code = "31"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private func dim(_ text: String) -> String { "\u{1B}[2m\(text)\u{1B}[0m" }

    // MARK: Plain

    private func printChanges(_ rows: [ExperimentProgress]) {
        var lines: [String] = []
        state.withLock { state in
            for row in rows {
                let now = (row.phase, row.completedRepetitions)
                if let before = state.previous[row.name], before == now { continue }
                state.previous[row.name] = now
                guard row.phase != .pending else { continue }
                lines.append("  \(elapsed())  \(row.name)  \(row.phase)  \(row.message)")
            }
        }
        guard !lines.isEmpty else { return }
        let counts = PhaseCounts(rows)
        lines.append("  \(elapsed())  — \(counts.finished)/\(rows.count) finished: \(counts)")
        print(lines.joined(separator: "\n"))
        fflush(nil)
    }

    private func elapsed() -> String {
        let components = (ContinuousClock.now - start).components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return String(format: "%5.1fs", seconds)
    }
}
