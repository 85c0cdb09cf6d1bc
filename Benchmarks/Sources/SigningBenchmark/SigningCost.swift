import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2

/// Signing cost per commit: `createCommit(_:signer:)` on a bare repository
/// through a transport, unsigned and with each of Giter's signers, and the
/// peer, `git commit-tree` with and without `-S`, one process per commit.
///
/// Each contender writes its own linear chain (each commit edits one small
/// file of its parent's tree); the contenders take turns, in an order
/// rotated every run, so that load from elsewhere falls on all of them.
struct SigningCost {
    /// One contender's timings: a group (the transport, or the peer) and a name.
    struct Row: Sendable {
        var group: String
        var name: String
        /// Whether this row is its group's baseline (no signature).
        var isBaseline: Bool
        /// Whether the signing is in process (the 1 ms target applies).
        var inProcess: Bool
        /// Seconds per commit, one `Samples` per run.
        var runs: [Samples] = []
    }

    let options: Options
    let keys: BenchmarkKeys
    let work: String
    let spawner: Spawner

    /// Giter's contenders: a name, the signer (`nil`: unsigned), whether it signs in process.
    private var signers: [(name: String, signer: (any CommitSigner)?, inProcess: Bool)] {
        [
            ("unsigned", nil, false),
            ("SSHKeySigner ed25519", SSHKeySigner(key: keys.ed25519.privateKey), true),
            ("SSHKeySigner ECDSA P-256", SSHKeySigner(key: keys.ecdsa.privateKey), true),
            ("SSHKeySigner RSA-3072", SSHKeySigner(key: keys.rsa.privateKey), false),
            (
                "SSHAgentSigner ed25519",
                SSHAgentSigner(publicKey: keys.ed25519.privateKey.publicKey, socketPath: keys.agentSocket), false
            ),
            ("GPGSigner ed25519", GPGSigner(keyID: keys.gpgFingerprint, home: keys.gnupgHome), false),
        ]
    }

    /// The peer's variants: a name and the extra `git` options (`nil`: unsigned).
    private var peers: [(name: String, arguments: [String]?, environment: [String: String])] {
        [
            ("git commit-tree", nil, [:]),
            (
                "git commit-tree -S (ssh ed25519, ssh-keygen)",
                ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.ed25519.path)"], [:]
            ),
            (
                "git commit-tree -S (gpg ed25519)", ["-c", "user.signingkey=\(keys.gpgFingerprint)"],
                ["GNUPGHOME": keys.gnupgHome]
            ),
        ]
    }

    func measure() async throws -> [Row] {
        var rows: [Row] = []
        for backend in options.backends {
            rows += try await measure(backend: backend)
        }
        rows += try measurePeer()
        return rows
    }

    /// Giter's signers on one transport.
    private func measure(backend: String) async throws -> [Row] {
        let repository = work + "/sign-\(backend).git"
        try spawner.run(["git", "init", "-q", "--bare", "-b", "main", repository])
        let configuration = RemoteConfiguration(url: repository, mirrorPath: repository)
        let transport: any Transport
        let group: String
        if backend == "libgit2" {
            transport = try await LibGit2Transport(configuration: configuration)
            group = "libgit2 transport"
        } else {
            transport = try await GitCLITransport(configuration: configuration)
            group = "git CLI transport"
        }
        let contenders = signers
        var rows = contenders.map {
            Row(group: group, name: $0.name, isBaseline: $0.signer == nil, inProcess: $0.inProcess)
        }
        var tips: [ObjectID?] = Array(repeating: nil, count: contenders.count)
        var written = Array(repeating: 0, count: contenders.count)
        func commit(_ index: Int) async throws -> Double {
            let request = CommitRequest(
                parent: tips[index], edits: [ExchangeFiles.edit(written[index])], author: ExchangeFiles.member,
                message: "Commit \(written[index])")
            let signer = contenders[index].signer
            let (seconds, id) = try await timed { try await transport.createCommit(request, signer: signer) }
            tips[index] = id
            written[index] += 1
            return seconds
        }
        for index in contenders.indices {
            for _ in 0..<3 { _ = try await commit(index) }  // warm-up, not recorded
        }
        for run in 0..<options.runs {
            progress("signing, \(group): run \(run + 1) of \(options.runs)")
            for index in rotated(contenders.indices, by: run) {
                var samples = Samples()
                for _ in 0..<options.signingCommits { samples.append(try await commit(index)) }
                rows[index].runs.append(samples)
            }
        }
        // Each chain's tip carries the signature its signer makes (or none).
        for (index, contender) in contenders.enumerated() {
            guard let tip = tips[index] else { continue }
            let object = try await transport.commitObject(tip)
            let expected: SignatureFormat? =
                contender.signer == nil ? nil : contender.name.hasPrefix("GPG") ? .openPGP : .ssh
            guard object.signatureFormat == expected else {
                throw BenchmarkError(
                    "\(group), \(contender.name): the last commit's signature is \(String(describing: object.signatureFormat)), "
                        + "expected \(String(describing: expected))")
            }
        }
        return rows
    }

    /// `git commit-tree`, one process per commit (and `ssh-keygen` or `gpg` under it with `-S`).
    private func measurePeer() throws -> [Row] {
        let repository = work + "/sign-peer.git"
        try spawner.run(["git", "init", "-q", "--bare", "-b", "main", repository])
        let tree = try spawner.run(["git", "--git-dir=" + repository, "hash-object", "-t", "tree", "-w", "/dev/null"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let contenders = peers
        let group = "git (peer)"
        var rows = contenders.map {
            Row(group: group, name: $0.name, isBaseline: $0.arguments == nil, inProcess: false)
        }
        var tips: [String?] = Array(repeating: nil, count: contenders.count)
        var written = 0
        func commit(_ index: Int) throws -> Double {
            let contender = contenders[index]
            written += 1
            var arguments = ["git", "--git-dir=" + repository] + (contender.arguments ?? []) + ["commit-tree"]
            if contender.arguments != nil { arguments.append("-S") }
            if let parent = tips[index] { arguments += ["-p", parent] }
            arguments += ["-m", "Commit \(written)", tree]
            let clock = ContinuousClock()
            let start = clock.now
            let output = try spawner.run(arguments, environment: contender.environment)
            let seconds = start.duration(to: clock.now).seconds
            let id = output.trimmingCharacters(in: .whitespacesAndNewlines)
            guard ObjectID(hex: id) != nil else {
                throw BenchmarkError("\(contender.name) printed '\(id)' instead of a commit id")
            }
            tips[index] = id
            return seconds
        }
        for index in contenders.indices {
            for _ in 0..<2 { _ = try commit(index) }
        }
        for run in 0..<options.runs {
            progress("signing, \(group): run \(run + 1) of \(options.runs)")
            for index in rotated(contenders.indices, by: run) {
                var samples = Samples()
                for _ in 0..<options.peerCommits { samples.append(try commit(index)) }
                rows[index].runs.append(samples)
            }
        }
        for (index, contender) in contenders.enumerated() {
            guard let tip = tips[index] else { continue }
            let object = try spawner.run(["git", "--git-dir=" + repository, "cat-file", "commit", tip])
            guard object.contains("\ngpgsig ") == (contender.arguments != nil) else {
                throw BenchmarkError("\(contender.name): the last commit \(tip) is not signed as expected:\n\(object)")
            }
        }
        return rows
    }
}

/// `indices` starting at position `run` (mod their count): who goes first changes every run.
func rotated(_ indices: Range<Int>, by run: Int) -> [Int] {
    guard !indices.isEmpty else { return [] }
    let shift = run % indices.count
    return Array(indices.dropFirst(shift)) + Array(indices.prefix(shift))
}

/// Progress on standard error (standard output holds only the report).
func progress(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
