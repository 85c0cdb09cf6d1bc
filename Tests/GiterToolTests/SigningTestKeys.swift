import Foundation
import GitServerFixtures
import Giter
import Testing

/// An SSH key pair made by the machine's `ssh-keygen`, for tests that sign
/// commits: its files, its public key line and its fingerprint as
/// `ssh-keygen -l` prints it.
struct SSHTestKey: Sendable {
    /// The private key file (unencrypted).
    let privateKey: String
    /// The public key file (`.pub`).
    let publicKey: String
    /// The public key line, comment included.
    let line: String
    /// `SHA256:…`, from `ssh-keygen -lf`.
    let fingerprint: String

    /// Makes a key named `name` in `folder` with `ssh-keygen -t type`.
    /// `nil` when `ssh-keygen` is missing locally (the test skips, saying
    /// so); under `GITER_STRICT_TESTS=1` a missing `ssh-keygen` throws.
    static func make(_ name: String, in folder: URL, type: [String] = ["-t", "ed25519"]) async throws -> SSHTestKey? {
        let missing = ExecutableLocator.find("ssh-keygen") == nil ? "`ssh-keygen` not found; install the Debian package `openssh-client`" : nil
        guard try TestRequirements.available(missing, for: "signing commits with SSH keys") else { return nil }
        let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
        let path = folder.appendingPathComponent("key-\(name)").path
        try await ProcessRunner.runChecked(
            keygen, ["-q"] + type + ["-N", "", "-C", "\(name)@test", "-f", path], environment: ProcessInfo.processInfo.environment)
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await ProcessRunner.runChecked(keygen, ["-l", "-f", path + ".pub"], environment: ProcessInfo.processInfo.environment)
        let fingerprint = try #require(listed.stdout.split(separator: " ").first { $0.hasPrefix("SHA256:") })
        return SSHTestKey(privateKey: path, publicKey: path + ".pub", line: line, fingerprint: String(fingerprint))
    }

    /// The in-process signer for this key.
    func signer() throws -> any CommitSigner {
        SSHKeySigner(key: try SSHPrivateKey(openSSH: String(contentsOfFile: privateKey, encoding: .utf8)))
    }

    /// `git -c` options that make `git commit -S` sign with this key.
    var gitOptions: [String] { ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(privateKey)"] }

    /// A line of an allowed-signers file for `email`.
    func allowedSigner(_ email: String) -> String { "\(email) namespaces=\"git\" \(line)\n" }
}

/// A GnuPG key made by the machine's `gpg` in a home of its own.
struct GPGTestKey: Sendable {
    /// The GnuPG home holding the secret key.
    let home: String
    /// The primary key's fingerprint (40 hex digits).
    let fingerprint: String
    /// The ASCII-armored public key block.
    let armored: String

    /// Makes an ed25519 signing key for `uid` in a new home under `folder`.
    /// `nil` when `gpg` is missing locally; under `GITER_STRICT_TESTS=1` it throws.
    static func make(_ uid: String, in folder: URL) async throws -> GPGTestKey? {
        let missing = ExecutableLocator.find("gpg") == nil ? "`gpg` not found; install the Debian package `gnupg`" : nil
        guard try TestRequirements.available(missing, for: "signing commits with GPG keys") else { return nil }
        let gpg = try ExecutableLocator.require("gpg", package: "gnupg")
        // gpg-agent's socket path has a length limit: a short home under /tmp.
        let home = "/tmp/gk-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let environment = ProcessInfo.processInfo.environment.merging(["GNUPGHOME": home]) { _, new in new }
        try await ProcessRunner.runChecked(
            gpg, ["--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "0"], environment: environment)
        let listed = try await ProcessRunner.runChecked(gpg, ["--batch", "--with-colons", "--list-keys"], environment: environment)
        let fingerprint = try #require(
            listed.stdout.split(separator: "\n").first { $0.hasPrefix("fpr:") }.map { $0.split(separator: ":", omittingEmptySubsequences: false)[9] })
        let exported = try await ProcessRunner.runChecked(gpg, ["--batch", "--armor", "--export", String(fingerprint)], environment: environment)
        _ = folder
        return GPGTestKey(home: home, fingerprint: String(fingerprint), armored: exported.stdout)
    }

    /// Stops the home's gpg-agent and removes the home.
    func remove() async {
        if let gpgconf = ExecutableLocator.find("gpgconf") {
            _ = try? await ProcessRunner.run(
                gpgconf, ["--kill", "all"], environment: ProcessInfo.processInfo.environment.merging(["GNUPGHOME": home]) { _, new in new })
        }
        try? FileManager.default.removeItem(atPath: home)
    }

    /// `git -c` options that make `git commit -S` sign with this key (with `GNUPGHOME` set to ``home``).
    var gitOptions: [String] { ["-c", "gpg.format=openpgp", "-c", "user.signingkey=\(fingerprint)"] }

    /// The armored key as a YAML block-scalar item of `signingKeys`, indented by `indent` spaces.
    func policyItem(indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        let body = armored.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + "  " + $0 }
        return "\(pad)- |\n" + body.joined(separator: "\n")
    }
}
