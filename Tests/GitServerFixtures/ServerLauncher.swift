internal import Foundation

/// Starts a server process on a free port, retrying on a new port when the
/// process exits before it accepts connections (typically EADDRINUSE because
/// another process took the port between the probe and the bind).
enum ServerLauncher {
    /// Runs `launch` with fresh ports until one attempt accepts connections.
    ///
    /// - Parameters:
    ///   - name: The server's name, for messages.
    ///   - attempts: How many ports to try.
    ///   - launch: Writes the configuration for a port and starts the process.
    static func start(
        name: String,
        attempts: Int = 4,
        launch: (Int) throws -> ServerProcess
    ) async throws -> (process: ServerProcess, port: Int) {
        var logs: [String] = []
        for _ in 0..<attempts {
            let port = try LoopbackPort.free()
            let process = try launch(port)
            let accepting: Bool
            do {
                accepting = try await process.waitUntilAccepting(port: port)
            } catch {
                await process.stop()
                throw error
            }
            if accepting {
                return (process, port)
            }
            await process.stop()
            logs.append("port \(port):\n\(process.log)")
        }
        throw FixtureError("\(name) did not start after \(attempts) attempts:\n" + logs.joined(separator: "\n"))
    }
}
