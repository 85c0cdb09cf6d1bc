import Foundation
import Giter
import Testing

/// Signing through a real `ssh-agent`, started for each test on a socket
/// of its own.
@Suite("SSH signing through ssh-agent", .timeLimit(.minutes(2)))
struct SSHAgentSignerTests {
    let message = Array("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nsigned by the agent\n".utf8)

    /// Runs `body` with an `ssh-agent` listening at a socket in `folder`,
    /// and stops the agent afterwards (SIGKILL: a child may inherit a
    /// mask that blocks SIGTERM from the test runner's threads).
    func withAgent<T: Sendable>(
        in folder: SSHScratchFolder, _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let socket = folder.file("agent.sock")
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: try #require(SSHTestTools.agent))
        agent.arguments = ["-a", socket, "-D"]
        // The agent prints its SSH_AUTH_SOCK once it listens (the socket file
        // exists a moment earlier, while connecting is still refused): await that line.
        let output = Pipe()
        let printed = AsyncStream<Data>.makeStream()
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                printed.continuation.finish()
            } else {
                printed.continuation.yield(chunk)
            }
        }
        agent.standardOutput = output
        agent.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Void>.makeStream()
        agent.terminationHandler = { _ in exited.continuation.finish() }
        try agent.run()
        let pid = agent.processIdentifier
        func stop() async {
            kill(pid, SIGKILL)
            for await _ in exited.stream {}
        }
        do {
            try await withDeadline(.seconds(10)) {
                var text = Data()
                for await chunk in printed.stream {
                    text += chunk
                    if String(decoding: text, as: UTF8.self).contains("SSH_AUTH_SOCK=") { return }
                }
                Issue.record("ssh-agent ended without announcing its socket")
            }
            let result = try await body(socket)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// Adds the key at `path` to the agent, answering its passphrase through `SSH_ASKPASS`.
    func add(_ path: String, passphrase: String?, socket: String, in folder: SSHScratchFolder) async throws {
        var environment = ["SSH_AUTH_SOCK": socket]
        if let passphrase {
            let script = try folder.write(Array("#!/bin/sh\necho '\(passphrase)'\n".utf8), to: "askpass")
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script)
            environment["SSH_ASKPASS"] = script
            environment["SSH_ASKPASS_REQUIRE"] = "force"
            environment["DISPLAY"] = ":0"
        }
        let outcome = try await SSHTestTools.run(SSHTestTools.add, [path], environment: environment, in: folder)
        try #require(outcome.status == 0, "ssh-add failed: \(outcome.error)")
    }

    @Test(SSHTestTools.needsAgent, arguments: [(.ed25519, "secret"), (.rsa3072, nil), (.ecdsaP256, nil)] as [(SSHKeyKind, String?)])
    func theAgentSignsAndSSHKeygenVerifies(_ kind: SSHKeyKind, _ passphrase: String?) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let path = try await SSHTestTools.makeKey(kind, passphrase: passphrase ?? "", in: folder)
            let publicLine = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            try await withAgent(in: folder) { socket in
                try await add(path, passphrase: passphrase, socket: socket, in: folder)
                // An encrypted key file, or else the .pub file, calls for the agent.
                let keyFile = passphrase == nil ? path + ".pub" : path
                let signer = try SSHSigning.signer(keyFile: keyFile, environment: ["SSH_AUTH_SOCK": socket])
                #expect(signer is SSHAgentSigner)
                let armored = try await signer.signature(for: message)
                #expect(try await SSHTestTools.keygenVerifies(armored, of: message, publicLine: publicLine, in: folder))
                #expect(try await !SSHTestTools.keygenVerifies(armored, of: message + [1], publicLine: publicLine, in: folder))
                let signature = try SSHSignature(armored: armored)
                #expect(signature.verifies(message, namespace: "git"))
                if kind == .rsa3072 {
                    #expect(signature.signature.starts(with: [0, 0, 0, 12] + Array("rsa-sha2-512".utf8)))
                }
            }
        }
    }

    @Test(SSHTestTools.needsAgent)
    func aKeyTheAgentDoesNotHoldIsAnAgentError() async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let held = try await SSHTestTools.makeKey(.ed25519, in: folder)
            let other = try await SSHTestTools.makeKey(.ed25519, name: "other", in: folder)
            let otherKey = try SSHPublicKey(line: String(contentsOfFile: other + ".pub", encoding: .utf8))
            try await withAgent(in: folder) { socket in
                try await add(held, passphrase: nil, socket: socket, in: folder)
                let signer = SSHAgentSigner(publicKey: otherKey, socketPath: socket)
                do {
                    _ = try await signer.signature(for: message)
                    Issue.record("the agent signed with a key it does not hold")
                } catch let error as SigningError {
                    #expect(error.code == .agent)
                    #expect(error.message.contains("ssh-add"), "\(error)")
                }
            }
        }
    }

    @Test(SSHTestTools.needsKeygen)
    func noAgentAtTheSocketIsAnAgentError() async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let path = try await SSHTestTools.makeKey(.ed25519, in: folder)
            let key = try SSHPublicKey(line: String(contentsOfFile: path + ".pub", encoding: .utf8))
            for socket in [folder.file("no-agent.sock"), path, String(repeating: "x", count: 200)] {
                do {
                    _ = try await SSHAgentSigner(publicKey: key, socketPath: socket).signature(for: message)
                    Issue.record("signed without an agent at \(socket)")
                } catch let error as SigningError {
                    #expect(error.code == .agent, "\(error)")
                }
            }
        }
    }
}
