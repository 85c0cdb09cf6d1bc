import Foundation
import Giter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keys the benchmark signs with, made fresh for each run of it:
/// three unencrypted SSH keys by `ssh-keygen`, an `ssh-agent` holding the
/// ed25519 one, and a GPG ed25519 key in a throwaway GnuPG home.
struct BenchmarkKeys: Sendable {
    /// An SSH key file, read into Giter, and its public line.
    struct SSHKey: Sendable {
        /// The private key file, as `git -c user.signingkey=` takes it.
        var path: String
        var privateKey: SSHPrivateKey
        /// `ssh-ed25519 AAAA… comment`.
        var publicLine: String
    }

    var ed25519: SSHKey
    var ecdsa: SSHKey
    var rsa: SSHKey
    /// The `ssh-agent` socket (the agent holds `ed25519`).
    var agentSocket: String
    /// The GnuPG home holding the secret GPG key (gpg-agent runs there).
    var gnupgHome: String
    /// A second GnuPG home holding only the public GPG key: what git verifies with.
    var gnupgVerifyHome: String
    /// The GPG key's fingerprint.
    var gpgFingerprint: String
    /// The GPG public key, ASCII-armored, as a policy lists it.
    var gpgPublicKey: String

    /// The member every signed commit is authored by.
    static let email = "bench@lab.example"

    /// Makes the keys in `work` and the GnuPG homes under `gnupgFolder`
    /// (short: gpg-agent's sockets live there). Whatever is started is
    /// recorded in `teardown` as soon as it runs.
    static func make(
        in work: String, gnupgFolder: String, spawner: Spawner, teardown: inout Teardown
    ) async throws -> BenchmarkKeys {
        let ed25519 = try sshKey(at: work + "/id_ed25519", type: ["-t", "ed25519"], spawner: spawner)
        let ecdsa = try sshKey(at: work + "/id_ecdsa", type: ["-t", "ecdsa", "-b", "256"], spawner: spawner)
        let rsa = try sshKey(at: work + "/id_rsa", type: ["-t", "rsa", "-b", "3072"], spawner: spawner)

        let socket = work + "/agent.sock"
        let agent = try spawner.start(["ssh-agent", "-a", socket, "-D"])
        teardown.agentStarted(agent, pidFile: work + "/agent.pid")
        try await waitForSocket(socket, agent: agent)
        try spawner.run(["ssh-add", "-q", ed25519.path], environment: ["SSH_AUTH_SOCK": socket])

        let home = gnupgFolder + "/sign"
        let verifyHome = gnupgFolder + "/verify"
        for folder in [home, verifyHome] {
            guard mkdir(folder, 0o700) == 0 else {
                throw BenchmarkError("cannot create the GnuPG home \(folder): errno \(errno)")
            }
            teardown.gnupgHomeUsed(folder)
        }
        let gpg = ["GNUPGHOME": home]
        try spawner.run(
            ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Bench <\(email)>", "ed25519", "sign", "0"],
            environment: gpg)
        let colons = try spawner.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], environment: gpg)
        guard
            let fingerprint = colons.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") })?
                .split(separator: ":", omittingEmptySubsequences: false).dropFirst(9).first.map(String.init),
            !fingerprint.isEmpty
        else {
            throw BenchmarkError("gpg made a key but lists no fingerprint for it:\n\(colons)")
        }
        let publicKey = try spawner.run(["gpg", "--batch", "--armor", "--export", fingerprint], environment: gpg)
        guard publicKey.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") else {
            throw BenchmarkError("gpg --armor --export \(fingerprint) gave no public key block")
        }
        // git's side: only the public key, trusted as the policy trusts it (trust is not what is measured).
        let exported = work + "/gpg-public.asc"
        try publicKey.write(toFile: exported, atomically: true, encoding: .utf8)
        try spawner.run(["gpg", "--batch", "--import", exported], environment: ["GNUPGHOME": verifyHome])
        try "trust-model always\n".write(toFile: verifyHome + "/gpg.conf", atomically: true, encoding: .utf8)

        return BenchmarkKeys(
            ed25519: ed25519, ecdsa: ecdsa, rsa: rsa, agentSocket: socket, gnupgHome: home,
            gnupgVerifyHome: verifyHome, gpgFingerprint: fingerprint, gpgPublicKey: publicKey)
    }

    /// Creates an unencrypted key with `ssh-keygen` and reads it as Giter does.
    private static func sshKey(at path: String, type: [String], spawner: Spawner) throws -> SSHKey {
        try spawner.run(["ssh-keygen", "-q", "-N", ""] + type + ["-C", email, "-f", path])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return SSHKey(path: path, privateKey: try SSHPrivateKey(openSSH: text), publicLine: line)
        } catch {
            throw BenchmarkError("Giter cannot read the key ssh-keygen made at \(path)", underlying: error)
        }
    }

    /// Waits until the agent's socket exists, for at most 10 seconds (or until the agent ends).
    private static func waitForSocket(_ socket: String, agent: pid_t) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while access(socket, F_OK) != 0 {
            var status: Int32 = 0
            if waitpid(agent, &status, WNOHANG) == agent {
                throw BenchmarkError("ssh-agent ended before it made its socket \(socket) (status \(status))")
            }
            guard ContinuousClock.now < deadline else {
                throw BenchmarkError("ssh-agent made no socket at \(socket) within 10 s")
            }
            // Polled: nothing announces the socket. The deadline bounds the wait.
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
