import Foundation
import Giter
import GiterLibGit2

/// Verification throughput: one linear chain of signed commits per key
/// type, made once by Giter's signers, then verified by four contenders in
/// turns (the order rotated every run):
///
/// - Giter, signatures only: `ContractChecker.signatureVerdict(of:)` for
///   each commit, over a `LibGit2Repository`, the commits listed by the reader;
/// - Giter, the full check as `giter verify` makes it: the first-parent
///   chain, then for each commit the signature verdict and
///   `ExchangeLedger.advance(over:verdict:)` (the contract, the CRD, the changed file);
/// - `git verify-commit` with every id, in one process;
/// - `git log --show-signature`.
///
/// Every contender's answer is checked: every commit verified, no violation.
struct VerificationThroughput {
    /// The signed chain of one key type.
    struct Chain: Sendable {
        var name: String
        var repository: String
        var root: CommitInfo
        var tip: ObjectID
        /// The signed commits, oldest first (the root excluded).
        var ids: [String]
        /// `.giter/` of the root: the contract in force for every commit.
        var contract: [String: [UInt8]]
        /// What git needs: `gpg.ssh.allowedSignersFile`, or `GNUPGHOME`.
        var gitOptions: [String]
        var gitEnvironment: [String: String]
        /// Seconds Giter's signer took to make the chain (commits included), once.
        var signingSeconds: Double
    }

    /// One contender's timings on one chain: seconds for the whole chain, one per run.
    struct Row: Sendable {
        var chain: String
        var name: String
        var runs = Samples()
    }

    static let signaturesOnly = "Giter, signatures only (a)"
    static let fullCheck = "Giter, full check as giter verify (b)"
    static let verifyCommit = "git verify-commit, one process (c)"
    static let logShowSignature = "git log --show-signature (d)"
    static let contenders = [signaturesOnly, fullCheck, verifyCommit, logShowSignature]

    let options: Options
    let keys: BenchmarkKeys
    let work: String
    let spawner: Spawner

    func measure() async throws -> (chains: [Chain], rows: [Row]) {
        let allowedSigners = work + "/allowed_signers"
        try (ExchangeFiles.allowedSigner(keys.ed25519.publicLine) + ExchangeFiles.allowedSigner(keys.rsa.publicLine))
            .write(toFile: allowedSigners, atomically: true, encoding: .utf8)
        let ssh = ["-c", "gpg.ssh.allowedSignersFile=\(allowedSigners)"]
        var chains: [Chain] = []
        chains.append(
            try await makeChain(
                "ed25519", signer: SSHKeySigner(key: keys.ed25519.privateKey), key: keys.ed25519.publicLine,
                gitOptions: ssh, gitEnvironment: [:]))
        chains.append(
            try await makeChain(
                "RSA-3072", signer: SSHKeySigner(key: keys.rsa.privateKey), key: keys.rsa.publicLine,
                gitOptions: ssh, gitEnvironment: [:]))
        chains.append(
            try await makeChain(
                "GPG ed25519", signer: GPGSigner(keyID: keys.gpgFingerprint, home: keys.gnupgHome),
                key: keys.gpgPublicKey, gitOptions: [], gitEnvironment: ["GNUPGHOME": keys.gnupgVerifyHome]))
        var rows: [Row] = []
        for chain in chains {
            rows += Self.contenders.map { Row(chain: chain.name, name: $0) }
        }
        for run in 0..<options.runs {
            for (chainIndex, chain) in chains.enumerated() {
                progress("verification, \(chain.name): run \(run + 1) of \(options.runs)")
                for contender in rotated(Self.contenders.indices, by: run) {
                    let seconds = try await verify(chain, with: Self.contenders[contender])
                    rows[chainIndex * Self.contenders.count + contender].runs.append(seconds)
                }
            }
        }
        return (chains, rows)
    }

    /// A bare repository whose first commit holds the contract (by the
    /// admin, unsigned: the trusted root) and then `verifiedCommits`
    /// commits by the member, each signed by `signer`.
    private func makeChain(
        _ name: String, signer: some CommitSigner, key: String, gitOptions: [String], gitEnvironment: [String: String]
    ) async throws -> Chain {
        progress("verification, \(name): signing \(options.verifiedCommits) commits")
        let repository = work + "/verify-\(name.filter(\.isLetter).lowercased()).git"
        try spawner.run(["git", "init", "-q", "--bare", "-b", "main", repository])
        let transport = try await LibGit2Transport(
            configuration: RemoteConfiguration(url: repository, mirrorPath: repository))
        let contract = ExchangeFiles.contract(signingKey: key)
        let rootID = try await transport.createCommit(
            CommitRequest(
                parent: nil, edits: contract.map { PathEdit.write(path: $0.key, contents: $0.value) }.sorted { $0.path < $1.path },
                author: ExchangeFiles.admin, message: "The contract"))
        var tip = rootID
        var ids: [String] = []
        let (seconds, _) = try await timed {
            for index in 0..<options.verifiedCommits {
                tip = try await transport.createCommit(
                    CommitRequest(
                        parent: tip, edits: [ExchangeFiles.edit(index)], author: ExchangeFiles.member,
                        message: "Experiment run-\(index % ExchangeFiles.resources): revision \(index)"),
                    signer: signer)
                ids.append(tip.hex)
            }
        }
        guard try await transport.updateReference("refs/heads/main", to: tip, expecting: nil) else {
            throw BenchmarkError("\(repository): refs/heads/main already existed")
        }
        let root = try await transport.commits(from: rootID, excluding: nil, limit: 1)
        guard let root = root.first else { throw BenchmarkError("\(repository): the first commit cannot be read") }
        return Chain(
            name: name, repository: repository, root: root, tip: tip, ids: ids, contract: contract,
            gitOptions: gitOptions, gitEnvironment: gitEnvironment, signingSeconds: seconds)
    }

    /// Seconds `contender` takes to verify every commit of `chain`; throws unless all verify.
    private func verify(_ chain: Chain, with contender: String) async throws -> Double {
        switch contender {
        case Self.signaturesOnly: return try await signaturesOnly(chain)
        case Self.fullCheck: return try await fullCheck(chain)
        case Self.verifyCommit: return try verifyCommit(chain)
        default: return try logShowSignature(chain)
        }
    }

    private func signaturesOnly(_ chain: Chain) async throws -> Double {
        let contract = try Contract.load(files: chain.contract)
        let (seconds, verified) = try await timed {
            let reader = try LibGit2Repository(path: chain.repository, environment: [:])
            // A new verifier each run: its keyring (GPG) is made once per run, as in one `giter verify`.
            let checker = ContractChecker(contract: contract, reader: reader, gpg: GPGVerifier())
            var verified = 0
            for commit in try await reader.commits(from: chain.tip, excluding: chain.root.id, limit: nil) {
                let verdict = try await checker.signatureVerdict(of: commit)
                guard verdict.problem(author: commit.author.email) == nil else {
                    throw BenchmarkError("\(chain.name), \(Self.signaturesOnly): \(commit.id.hex): \(verdict)")
                }
                verified += 1
            }
            return verified
        }
        try expectAll(verified, chain, Self.signaturesOnly)
        return seconds
    }

    private func fullCheck(_ chain: Chain) async throws -> Double {
        let (seconds, verified) = try await timed {
            let reader = try LibGit2Repository(path: chain.repository, environment: [:])
            guard let commits = try await ExchangeLedger.chain(from: chain.tip, to: nil, reader: reader),
                commits.first?.id == chain.root.id
            else { throw BenchmarkError("\(chain.name): the first-parent chain does not reach the first commit") }
            // The root holds the policy, so it is trusted as it stands
            // (what ExchangeLedger.starting(at:) gives for it), with this run's verifier.
            var ledger = ExchangeLedger(
                reader: reader, state: ExchangeLedger.State(commit: chain.root.id), gpg: GPGVerifier())
            var verified = 0
            for commit in commits.dropFirst() {
                // `giter verify` asks for the verdict to print it, then judges the commit with it.
                let verdict = try await ledger.signatureVerdict(of: commit)
                let violations = try await ledger.advance(over: commit, verdict: verdict)
                guard verdict?.status == .verified, violations.isEmpty else {
                    throw BenchmarkError(
                        "\(chain.name), \(Self.fullCheck): \(commit.id.hex): \(verdict.map(String.init(describing:)) ?? "no contract"); "
                            + violations.map(String.init(describing:)).joined(separator: "; "))
                }
                verified += 1
            }
            return verified
        }
        try expectAll(verified, chain, Self.fullCheck)
        return seconds
    }

    private func verifyCommit(_ chain: Chain) throws -> Double {
        let arguments = ["git", "--git-dir=" + chain.repository] + chain.gitOptions + ["verify-commit"] + chain.ids
        let (seconds, outcome) = try timedSync { try spawner.launch(arguments, environment: chain.gitEnvironment) }
        guard outcome.succeeded else {
            throw BenchmarkError(
                "\(chain.name), \(Self.verifyCommit) failed (status \(outcome.status)): \(outcome.errors.suffix(2_000))")
        }
        try expectAll(Self.goodSignatures(in: outcome.errors), chain, Self.verifyCommit)
        return seconds
    }

    private func logShowSignature(_ chain: Chain) throws -> Double {
        let arguments =
            ["git", "--git-dir=" + chain.repository] + chain.gitOptions
            + ["log", "--show-signature", "--format=%H", "-n", "\(chain.ids.count)", chain.tip.hex]
        let (seconds, output) = try timedSync { try spawner.run(arguments, environment: chain.gitEnvironment) }
        try expectAll(Self.goodSignatures(in: output), chain, Self.logShowSignature)
        return seconds
    }

    /// How many lines of git's output report a good signature (SSH or GPG).
    private static func goodSignatures(in text: String) -> Int {
        text.split(separator: "\n").count { $0.contains("Good \"git\" signature") || $0.contains("Good signature from") }
    }

    private func expectAll(_ verified: Int, _ chain: Chain, _ contender: String) throws {
        guard verified == chain.ids.count else {
            throw BenchmarkError(
                "\(chain.name), \(contender): \(verified) of \(chain.ids.count) commits verified; a benchmark of failures measures nothing")
        }
    }
}
