import Foundation
import GiterTesting
import Testing

@testable import Giter

/// `ContractChecker.signatureVerdict(of:)` and the `signature` rule on
/// commits an in-memory remote holds: the cases end-to-end tests do not
/// reach (X.509, no reader, gpg missing, a key in two parties, an OpenPGP
/// block gpg cannot read).
@Suite("Signature verdicts")
struct SignatureVerdictTests {
    /// Returns a fixed armored text as the signature.
    struct FixedSigner: CommitSigner {
        let text: String
        func signature(for payload: [UInt8]) async throws -> String { text }
    }

    /// A policy: `owner@example.com` is in `lab` (producer) with `labKey` and in `owners` (admin) with `ownerKey`.
    static func policy(labKey: String, ownerKey: String, extraLabKeys: String = "") -> [UInt8] {
        Array(
            """
            apiVersion: giter.dev/v1alpha1
            kind: ExchangePolicy
            metadata:
              name: exchange
            spec:
              parties:
              - name: lab
                role: producer
                members:
                - email: owner@example.com
                  signingKeys:
                  - \(labKey)\(extraLabKeys)
              - name: owners
                role: admin
                members:
                - email: owner@example.com
                  signingKeys:
                  - \(ownerKey)
              requireSignatures: true
              unknownKinds: allow

            """.utf8)
    }

    /// A commit on `main` changing `path`, signed by `signer`, and its changes.
    static func commit(
        _ transport: any Transport, path: String, signer: (any CommitSigner)?
    ) async throws -> (CommitInfo, [PathChange]) {
        let author = Signature(name: "Owner", email: "owner@example.com", date: Date(timeIntervalSince1970: 1_700_000_000))
        let id = try await transport.createCommit(
            CommitRequest(parent: nil, edits: [.write(path: path, contents: Array("x: 1\n".utf8))], author: author, message: "change"),
            signer: signer)
        let info = CommitInfo(id: id, parents: [], author: author, committer: author, message: "change\n")
        let changes = try await transport.changes(from: nil, to: id, under: nil)
        return (info, changes)
    }

    static func keys(in folder: SSHScratchFolder) async throws -> (lab: SSHPrivateKey, owner: SSHPrivateKey) {
        let lab = try await SSHTestTools.makeKey(.ed25519, name: "lab", in: folder)
        let owner = try await SSHTestTools.makeKey(.ed25519, name: "owner", in: folder)
        return (
            try SSHPrivateKey(openSSH: String(contentsOfFile: lab, encoding: .utf8)),
            try SSHPrivateKey(openSSH: String(contentsOfFile: owner, encoding: .utf8))
        )
    }

    @Test(SSHTestTools.needsKeygen)
    func aKeySpeaksOnlyForThePartiesThatListIt() async throws {
        let folder = try SSHScratchFolder()
        let (lab, owner) = try await Self.keys(in: folder)
        let contract = try Contract.load(files: [
            ExchangePolicy.path: Self.policy(labKey: lab.publicKey.description, ownerKey: owner.publicKey.description)
        ])
        let transport = InMemoryRemote().transport()
        let checker = ContractChecker(contract: contract, reader: transport)

        // The owner's admin change, signed with the owner's admin key: allowed.
        let (byOwnerKey, changes) = try await Self.commit(transport, path: ".giter/crds/x.yaml", signer: SSHKeySigner(key: owner))
        #expect(try await checker.violations(of: byOwnerKey, changes: changes).isEmpty)
        let verdict = try await checker.signatureVerdict(of: byOwnerKey)
        #expect(verdict.signers(author: "OWNER@example.com") == [SignatureVerdict.Holder(party: "owners", member: "owner@example.com")])

        // The same change signed with the key the owner holds as a lab member: the lab may not change .giter/.
        let (byLabKey, labChanges) = try await Self.commit(transport, path: ".giter/crds/x.yaml", signer: SSHKeySigner(key: lab))
        let refused = try await checker.violations(of: byLabKey, changes: labChanges)
        #expect(refused.map(\.rule) == [.role], "\(refused)")
    }

    @Test("X.509, unreadable and unsigned signatures are violations; without a commit reader every commit is",
          SSHTestTools.needsKeygen)
    func whatGiterCannotReadIsRefused() async throws {
        let folder = try SSHScratchFolder()
        let (lab, owner) = try await Self.keys(in: folder)
        let contract = try Contract.load(files: [
            ExchangePolicy.path: Self.policy(labKey: lab.publicKey.description, ownerKey: owner.publicKey.description)
        ])
        let transport = InMemoryRemote().transport()
        let checker = ContractChecker(contract: contract, reader: transport)
        let cases: [(signer: (any CommitSigner)?, status: SignatureVerdict.Status)] = [
            (FixedSigner(text: "-----BEGIN SIGNED MESSAGE-----\nMIIB\n-----END SIGNED MESSAGE-----\n"), .unsupported),
            (FixedSigner(text: "-----BEGIN SSH SIGNATURE-----\nnot base64!\n-----END SSH SIGNATURE-----\n"), .unsupported),
            (FixedSigner(text: "hello\n"), .unsupported),
            (nil, .unsigned),
        ]
        for (signer, status) in cases {
            let (commit, changes) = try await Self.commit(transport, path: "resources/default/X/a.yaml", signer: signer)
            #expect(try await checker.signatureVerdict(of: commit).status == status)
            #expect(try await checker.violations(of: commit, changes: changes).map(\.rule) == [.signature])
        }
        // A checker that cannot read commit objects cannot check a signature: it says no.
        let blind = ContractChecker(contract: contract, read: { try await transport.blob($0) })
        let (commit, changes) = try await Self.commit(transport, path: "resources/default/X/b.yaml", signer: nil)
        #expect(try await blind.signatureVerdict(of: commit).status == .unverifiable)
        #expect(try await blind.violations(of: commit, changes: changes).map(\.rule) == [.signature])
    }

    @Test("an OpenPGP signature with no gpg to check it is unverifiable, so a violation", SSHTestTools.needsKeygen)
    func noGPGIsUnverifiable() async throws {
        let folder = try SSHScratchFolder()
        let (lab, owner) = try await Self.keys(in: folder)
        let armored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZQ==\n-----END PGP PUBLIC KEY BLOCK-----\n"
        let item = "\n      - |\n" + armored.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n")
        let contract = try Contract.load(files: [
            ExchangePolicy.path: Self.policy(
                labKey: lab.publicKey.description, ownerKey: owner.publicKey.description, extraLabKeys: item)
        ])
        #expect(contract.policy?.parties.first?.members.first?.signingKeys.count == 2)
        let transport = InMemoryRemote().transport()
        let checker = ContractChecker(contract: contract, reader: transport, gpg: GPGVerifier(program: "/nonexistent/gpg"))
        let signer = FixedSigner(text: "-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n")
        let (commit, changes) = try await Self.commit(transport, path: "resources/default/X/a.yaml", signer: signer)
        let verdict = try await checker.signatureVerdict(of: commit)
        #expect(verdict.status == .unverifiable, "\(verdict)")
        #expect(try await checker.violations(of: commit, changes: changes).map(\.rule) == [.signature])
    }
}
