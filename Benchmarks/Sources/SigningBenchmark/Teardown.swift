import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the benchmark started and must stop, whether it ends well or not:
/// the `ssh-agent` child, the `gpg-agent`s of the GnuPG homes, and the
/// folders it made itself.
///
/// The agent's process id is also written to `agent.pid` in the work
/// folder, so that run-signing.sh's trap can stop it when this process is
/// killed before it could run ``run(spawner:)``.
struct Teardown {
    private(set) var agent: pid_t?
    private var agentPIDFile: String?
    private(set) var gnupgHomes: [String] = []
    private(set) var folders: [String] = []

    /// Records the `ssh-agent` child `pid`.
    mutating func agentStarted(_ pid: pid_t, pidFile: String) {
        agent = pid
        agentPIDFile = pidFile
        try? "\(pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
    }

    /// Records a GnuPG home, whose agents are stopped at the end.
    mutating func gnupgHomeUsed(_ path: String) {
        gnupgHomes.append(path)
    }

    /// Records a folder this process made, removed at the end.
    mutating func folderMade(_ path: String) {
        folders.append(path)
    }

    /// Stops everything recorded, and removes the folders. Never throws: each step is tried.
    func run(spawner: Spawner) {
        if let agent {
            Spawner.stop(agent)
            // Stopped: the script's trap must not signal a process id that may be reused.
            if let agentPIDFile { unlink(agentPIDFile) }
        }
        for home in gnupgHomes {
            _ = try? spawner.launch(["gpgconf", "--kill", "all"], environment: ["GNUPGHOME": home])
        }
        for folder in folders.reversed() {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}
