import Foundation
import GitServerFixtures
import Testing

@testable import Giter

/// GPG commit signatures both ways with the real `git`: a commit `git
/// commit -S` signed verifies in `GPGVerifier`, and a commit carrying a
/// `GPGSigner` signature passes `git verify-commit`.
@Suite struct GPGGitInteropTests {
    @Test func aCommitSignedByGitVerifies() async throws {
        try await GPGTestHome.with { home in
            guard try await Self.gitAvailable() else { return }
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let repository = try await Self.repository(in: home, signingKey: alice)
            try await Self.git(repository, ["commit", "-q", "-S", "--allow-empty", "-m", "Signed by git"])
            let object = Array(try await Self.git(repository, ["cat-file", "commit", "HEAD"]).utf8)
            let (signature, payload) = try #require(Self.splitSignature(object))
            #expect(signature.hasPrefix("-----BEGIN PGP SIGNATURE-----"))

            let keys = [try await home.publicKey(alice)]
            let verifier = GPGVerifier()
            let verification = try await verifier.verify(signature: signature, payload: payload, keys: keys)
            #expect(verification?.primaryKeyFingerprint == alice)
            var tampered = payload
            tampered.append(contentsOf: Array("Tampered\n".utf8))
            #expect(try await verifier.verify(signature: signature, payload: tampered, keys: keys) == nil)
        }
    }

    @Test func aCommitSignedByGPGSignerPassesGitVerifyCommit() async throws {
        try await GPGTestHome.with { home in
            guard try await Self.gitAvailable() else { return }
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let repository = try await Self.repository(in: home, signingKey: alice)
            let signature = try await GPGSigner(keyID: alice, home: home.path).signature(for: gpgTestPayload)
            // What `git commit -S` writes: a gpgsig header after the committer, continuation lines indented.
            let header = "gpgsig " + signature.dropLast().replacingOccurrences(of: "\n", with: "\n ") + "\n"
            let text = String(decoding: gpgTestPayload, as: UTF8.self)
            let headerEnd = try #require(text.range(of: "\n\n"))
            let object = text.replacingCharacters(in: headerEnd, with: "\n" + header + "\n")
            let file = try home.folder.write(Array(object.utf8), to: "commit")
            let id = try await Self.git(repository, ["hash-object", "-t", "commit", "-w", file])
                .trimmingCharacters(in: .whitespacesAndNewlines)

            let checked = try await Self.run(repository, ["verify-commit", "--raw", id])
            #expect(checked.succeeded, "\(checked.diagnostic)")
            #expect(checked.reported("GOODSIG"))
        }
    }

    /// Whether git runs; under CI its absence fails the test.
    static func gitAvailable() async throws -> Bool {
        let works = try? await GPGProgram(program: "git").run(["--version"], environment: GPGVerifier.environment)
        return try TestRequirements.available(works?.succeeded == true ? nil : "git cannot be run: install git", for: "a GPG test with git")
    }

    /// A new repository whose git signs with `key` through gpg on `home`'s keyring.
    static func repository(in home: GPGTestHome, signingKey key: String) async throws -> String {
        // git runs gpg.program with its own arguments: a wrapper adds the home.
        let wrapper = try home.folder.write(
            Array("#!/bin/sh\nexec gpg --homedir '\(home.path)' \"$@\"\n".utf8),
            to: "gpg"
        )
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: wrapper)
        let path = home.path + "/repository"
        try await git(home.path, ["init", "-q", path])
        for (name, value) in [
            ("user.name", "Alice"), ("user.email", "alice@example.com"), ("user.signingkey", key),
            ("gpg.format", "openpgp"), ("gpg.program", wrapper),
        ] {
            try await git(path, ["config", name, value])
        }
        return path
    }

    @discardableResult
    static func git(_ repository: String, _ arguments: [String]) async throws -> String {
        let outcome = try await run(repository, arguments)
        guard outcome.succeeded else { throw GPGCommandFailed(arguments: ["git"] + arguments, outcome: outcome) }
        return outcome.output
    }

    static func run(_ repository: String, _ arguments: [String]) async throws -> GPGProgram.Outcome {
        try await GPGProgram(program: "git").run(
            ["-c", "core.hooksPath=/dev/null", "-C", repository] + arguments,
            environment: GPGVerifier.environment
        )
    }

    /// The `gpgsig` header's value (continuation lines joined, ending with a
    /// newline) and the object without that header.
    static func splitSignature(_ object: [UInt8]) -> (String, [UInt8])? {
        let text = String(decoding: object, as: UTF8.self)
        guard let end = text.range(of: "\n\n") else { return nil }
        var signature = ""
        var payload = ""
        var inSignature = false
        for line in text[..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("gpgsig ") {
                inSignature = true
                signature += line.dropFirst(7) + "\n"
            } else if inSignature, line.hasPrefix(" ") {
                signature += line.dropFirst() + "\n"
            } else {
                inSignature = false
                payload += line + "\n"
            }
        }
        guard !signature.isEmpty else { return nil }
        return (signature, Array((payload + "\n" + text[end.upperBound...]).utf8))
    }
}
