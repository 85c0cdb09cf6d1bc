import Foundation
import GitServerFixtures
import Giter
import Synchronization

/// An ed25519 key made by `ssh-keygen -t ed25519 -N ''` in a folder of its
/// own, with the `allowed_signers` file `git verify-commit` and
/// `ssh-keygen -Y verify` read.
struct SigningKeyFixture: Sendable {
    let folder: TemporaryDirectory
    /// The private key file (what `user.signingkey` names).
    let privateKey: String
    /// `email namespaces="git" ssh-ed25519 AAAA…`, in one file.
    let allowedSigners: String
    let email: String
    let keygen: String

    /// A new key for `email`; `nil` (after saying why) when `ssh-keygen`
    /// is missing. In CI (`CI` set, or `GITER_STRICT_TESTS=1`) a missing
    /// `ssh-keygen` fails the test instead.
    static func make(email: String = "lab@example.com") async throws -> SigningKeyFixture? {
        guard let keygen = ExecutableLocator.find("ssh-keygen") else {
            let reason = "`ssh-keygen` not found; install the Debian package `openssh-client`"
            if ProcessInfo.processInfo.environment["CI"] != nil {
                throw FixtureUnavailable(reason: "the signed-commit tests cannot run in CI: \(reason)")
            }
            _ = try TestRequirements.available(reason, for: "the signed-commit tests")
            return nil
        }
        let folder = try TemporaryDirectory(prefix: "giter-signing")
        let key = folder.appending("id_ed25519").path
        try await ProcessRunner.runChecked(
            keygen, ["-q", "-t", "ed25519", "-N", "", "-C", email, "-f", key], environment: Self.environment)
        let publicLine = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        let fields = publicLine.split(separator: " ")
        guard fields.count >= 2 else { throw FixtureError("ssh-keygen wrote an unexpected public key: \(publicLine)") }
        let allowed = folder.appending("allowed_signers").path
        try Data("\(email) namespaces=\"git\" \(fields[0]) \(fields[1])\n".utf8).write(to: URL(fileURLWithPath: allowed))
        return SigningKeyFixture(folder: folder, privateKey: key, allowedSigners: allowed, email: email, keygen: keygen)
    }

    /// A signer that runs what git runs with `gpg.format=ssh`.
    var signer: SSHKeygenSigner { SSHKeygenSigner(keygen: keygen, privateKey: privateKey) }

    /// `ssh-keygen -Y verify` of `signature` over `payload` for this key's e-mail.
    func verify(signature: String, payload: [UInt8]) async throws -> ProcessOutput {
        let scratch = try TemporaryDirectory(prefix: "giter-verify")
        let file = scratch.appending("commit.sig")
        try Data(signature.utf8).write(to: file)
        return try await ProcessRunner.run(
            keygen, ["-Y", "verify", "-f", allowedSigners, "-I", email, "-n", "git", "-s", file.path],
            environment: Self.environment, input: Data(payload), timeLimit: .seconds(60))
    }

    /// The environment of `ssh-keygen`: no agent.
    static var environment: [String: String] { GitEnvironment.isolated.variables }
}

/// Signs as git does with `gpg.format=ssh`: writes the payload to a file
/// and runs `ssh-keygen -Y sign -n git -f KEY FILE`, which writes `FILE.sig`.
struct SSHKeygenSigner: CommitSigner {
    let keygen: String
    let privateKey: String

    func signature(for payload: [UInt8]) async throws -> String {
        let scratch = try TemporaryDirectory(prefix: "giter-sign")
        let file = scratch.appending("payload")
        try Data(payload).write(to: file)
        let result = try await ProcessRunner.run(
            keygen, ["-Y", "sign", "-n", "git", "-f", privateKey, file.path], environment: SigningKeyFixture.environment,
            timeLimit: .seconds(60))
        guard result.succeeded else { throw FixtureError("ssh-keygen -Y sign failed: \(result)") }
        return try String(contentsOfFile: file.path + ".sig", encoding: .utf8)
    }
}

/// A signer that returns `signature` whatever it signs, and keeps what it was given.
final class FixedSigner: CommitSigner {
    let signature: String
    private let payloads = Mutex<[[UInt8]]>([])

    init(_ signature: String) { self.signature = signature }

    /// Every payload it signed, in order.
    var signed: [[UInt8]] { payloads.withLock { $0 } }

    func signature(for payload: [UInt8]) async throws -> String {
        payloads.withLock { $0.append(payload) }
        return signature
    }
}

/// A signer that always fails, as a key that cannot be read or an agent that refuses.
struct FailingSigner: CommitSigner {
    struct Refusal: Error, Equatable {
        var reason: String
    }

    func signature(for payload: [UInt8]) async throws -> String {
        throw Refusal(reason: "the token was unplugged")
    }
}
