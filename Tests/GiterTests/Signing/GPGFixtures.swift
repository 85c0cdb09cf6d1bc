import Foundation
import GitServerFixtures
import Testing

@testable import Giter

/// Whether the tests that need a real `gpg` run here: skipped locally
/// without it, failed in CI (``TestRequirements``).
enum GPGRequirement {
    /// `true` when gpg and gpgconf run; else `false` after a skip message, or an error in CI.
    static func available() async throws -> Bool {
        var missing: [String] = []
        for program in ["gpg", "gpgconf"] {
            let works = try? await GPGProgram(program: program).run(["--version"], environment: GPGVerifier.environment)
                .succeeded
            if works != true { missing.append(program) }
        }
        let reason = missing.isEmpty ? nil : "\(missing.joined(separator: " and ")) cannot be run: install GnuPG (Debian: gnupg)"
        return try TestRequirements.available(reason, for: "a GPG test")
    }
}

/// A GnuPG home for one test, with keys made in it: ``run(_:)`` runs gpg on it.
struct GPGTestHome: Sendable {
    let folder: GPGFolder
    var path: String { folder.path }

    /// Runs `body` with a new home under a deadline, then stops the home's
    /// gpg-agent; the folder goes with the last reference. `nil` when gpg is
    /// missing and the test may skip.
    @discardableResult
    static func with<T: Sendable>(
        sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ body: @escaping @Sendable (GPGTestHome) async throws -> T
    ) async throws -> T? {
        guard try await GPGRequirement.available() else { return nil }
        let home = GPGTestHome(folder: try GPGFolder())
        do {
            let value = try await withDeadline(.seconds(120), sourceLocation: sourceLocation) { try await body(home) }
            await home.stopAgent()
            return value
        } catch {
            await home.stopAgent()
            throw error
        }
    }

    /// `gpg --homedir HOME --batch --no-tty --status-fd=2 arguments`; fails unless gpg succeeds.
    @discardableResult
    func run(_ arguments: [String]) async throws -> GPGProgram.Outcome {
        let outcome = try await GPGProgram(program: "gpg").run(
            ["--homedir", path, "--batch", "--no-tty", "--status-fd=2"] + arguments,
            environment: GPGVerifier.environment
        )
        guard outcome.succeeded else {
            throw GPGCommandFailed(arguments: arguments, outcome: outcome)
        }
        return outcome
    }

    /// Makes a key without passphrase (`gpg --quick-gen-key`) and returns its fingerprint.
    func makeKey(
        _ userID: String,
        algorithm: String = "ed25519",
        expires: String = "0",
        at time: String? = nil
    ) async throws -> String {
        let faked = time.map { ["--faked-system-time", $0] } ?? []
        let outcome = try await run(
            faked + ["--passphrase", "", "--quick-gen-key", userID, algorithm, "sign", expires]
        )
        return try Self.created(in: outcome)
    }

    /// Adds a signing subkey to `primary` and returns the subkey's fingerprint.
    func addSigningSubkey(to primary: String) async throws -> String {
        let outcome = try await run(["--passphrase", "", "--quick-add-key", primary, "ed25519", "sign", "0"])
        return try Self.created(in: outcome)
    }

    /// Revokes `fingerprint` with the revocation certificate gpg made with it.
    func revoke(_ fingerprint: String) async throws {
        let certificate = try String(contentsOfFile: "\(path)/openpgp-revocs.d/\(fingerprint).rev", encoding: .utf8)
        // gpg writes the certificate with a ':' before its armor, so that it is not imported by accident.
        let armored = certificate.replacingOccurrences(of: ":-----BEGIN", with: "-----BEGIN")
        let file = try folder.write(Array(armored.utf8), to: "revoke.asc")
        try await run(["--import", file])
    }

    /// The armored public keys of `userIDs`, exported in one block.
    func publicKey(_ userIDs: String...) async throws -> OpenPGPPublicKey {
        try OpenPGPPublicKey(armored: try await run(["--armor", "--export"] + userIDs).output)
    }

    /// A detached armored signature made by plain gpg, with extra options.
    func signByHand(_ payload: [UInt8], as key: String, options: [String] = []) async throws -> String {
        let file = try folder.write(payload, to: "payload-\(UInt32.random(in: 0...UInt32.max))")
        return try await run(options + ["--armor", "--detach-sign", "--local-user", key, "--output", "-", file]).output
    }

    /// What plain `gpg --verify` says of `signature` over `payload` on this home's keyring.
    func verifyByHand(_ signature: String, _ payload: [UInt8]) async throws -> GPGProgram.Outcome {
        let name = "check-\(UInt32.random(in: 0...UInt32.max))"
        let signatureFile = try folder.write(Array(signature.utf8), to: name + ".asc")
        let payloadFile = try folder.write(payload, to: name)
        return try await GPGProgram(program: "gpg").run(
            ["--homedir", path, "--batch", "--no-tty", "--status-fd=1", "--verify", signatureFile, payloadFile],
            environment: GPGVerifier.environment
        )
    }

    func stopAgent() async {
        _ = try? await GPGProgram(program: "gpgconf").run(
            ["--homedir", path, "--kill", "all"],
            environment: GPGVerifier.environment
        )
    }

    private static func created(in outcome: GPGProgram.Outcome) throws -> String {
        // [GNUPG:] KEY_CREATED P|S|B <fingerprint>
        for line in outcome.statusLines {
            let fields = line.split(separator: " ")
            if fields.count >= 4, fields[1] == "KEY_CREATED" { return String(fields[3]) }
        }
        throw GPGCommandFailed(arguments: ["(no KEY_CREATED)"], outcome: outcome)
    }
}

struct GPGCommandFailed: Error, CustomStringConvertible {
    var arguments: [String]
    var outcome: GPGProgram.Outcome
    var description: String {
        "gpg \(arguments.joined(separator: " ")) failed (\(outcome.ending)): \(outcome.diagnostic)"
    }
}

/// A commit-like payload to sign.
let gpgTestPayload = Array(
    """
    tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
    author Alice <alice@example.com> 1700000000 +0000
    committer Alice <alice@example.com> 1700000000 +0000

    Sign me

    """.utf8
)
