import Foundation
import GitServerFixtures
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `giter serve` on a fixture's exchange, listening on a free loopback
/// port, run as a user runs it; ended with SIGTERM.
struct ServedBoard: Sendable {
    let process: ChildProcess
    /// `http://127.0.0.1:PORT`.
    let url: String
    /// What it wrote on standard error, read when it has ended.
    let errors: Task<String, Never>

    /// Starts `giter serve` with the fixture's options and `arguments`,
    /// and waits (30 s at most) for the line that gives its address.
    ///
    /// - Parameter remote: the remote to serve instead of the fixture's path (a server's URL).
    static func start(_ fixture: ExchangeFixture, remote: String? = nil, _ arguments: [String] = []) async throws
        -> ServedBoard
    {
        var options = fixture.options
        if let remote, let index = options.firstIndex(of: "--remote") { options[index + 1] = remote }
        let output = try DescriptorPipe()
        let errorOutput = try DescriptorPipe()
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITER_") }
        let process = try ChildProcess.spawn(
            try GiterProcess.executable().path,
            ["serve", "--listen", "127.0.0.1:0"] + arguments + options,
            environment: environment,
            descriptors: [0: devNull, 1: output.write, 2: errorOutput.write]
        )
        close(devNull)
        close(output.write)
        close(errorOutput.write)
        let lines = DescriptorReader.chunks(of: output.read)
        let errorChunks = DescriptorReader.chunks(of: errorOutput.read)
        let errors = Task {
            var text: [UInt8] = []
            for await chunk in errorChunks where text.count < 1 << 20 { text += chunk }
            return String(decoding: text, as: UTF8.self)
        }
        let url: String?
        do {
            url = try await withDeadline(.seconds(30)) {
                var text = ""
                for await chunk in lines {
                    text += String(decoding: chunk, as: UTF8.self)
                    if let range = text.firstRange(of: "http://127.0.0.1:"),
                        let end = text[range.upperBound...].firstIndex(of: "/")
                    {
                        return String(text[range.lowerBound..<end])
                    }
                }
                return nil
            }
        } catch {
            await process.forceStop()
            throw error
        }
        guard let url else {
            await process.forceStop()
            throw ChildProcess.Failure(description: "giter serve ended before listening: \(await errors.value)")
        }
        return ServedBoard(process: process, url: url, errors: errors)
    }

    /// Sends SIGTERM and returns the exit status (or kills it after 30 s, and fails).
    @discardableResult
    func stop() async throws -> Int32 {
        process.signal(SIGTERM)
        let process = self.process
        do {
            let status = try await withDeadline(.seconds(30)) { await process.exit.value }
            return status
        } catch {
            await process.forceStop()
            throw error
        }
    }
}
