import Synchronization

extension ContractChecker {
    /// Who signed `commit`, by the policy in force at its parent (without a
    /// policy no key is known: a signature reads as ``SignatureVerdict/Status/unknownKey``).
    ///
    /// SSH signatures are verified in process; OpenPGP signatures with `gpg`
    /// against a keyring holding only the policy's keys.
    ///
    /// - Throws: when the commit object cannot be read.
    public func signatureVerdict(of commit: CommitInfo) async throws -> SignatureVerdict {
        guard let readCommit = commitObject else {
            return SignatureVerdict(status: .unverifiable, detail: "this checker was given no way to read commit objects, so signatures cannot be checked")
        }
        let object = try await readCommit(commit.id)
        guard let armored = object.signature else { return SignatureVerdict(status: .unsigned) }
        let keys = contract.policy.map(SignatureKeys.init) ?? SignatureKeys()
        switch object.signatureFormat {
        case .ssh:
            return Self.sshVerdict(armored, payload: object.signedPayload, keys: keys)
        case .openPGP:
            return await openPGPVerdict(armored, payload: object.signedPayload, keys: keys)
        case .x509:
            return SignatureVerdict(status: .unsupported, format: .x509, detail: "an X.509 (gpgsm) signature: Giter verifies SSH and OpenPGP signatures")
        case nil:
            return SignatureVerdict(status: .unsupported, detail: "the commit's gpgsig header holds no signature Giter can read")
        }
    }

    private static func sshVerdict(_ armored: String, payload: [UInt8], keys: SignatureKeys) -> SignatureVerdict {
        let signature: SSHSignature
        do {
            signature = try SSHSignature(armored: armored)
        } catch {
            return SignatureVerdict(status: .unsupported, format: .ssh, detail: "the SSH signature cannot be read: \(error.message)")
        }
        let fingerprint = signature.publicKey.fingerprint
        guard signature.namespace == gitNamespace else {
            return SignatureVerdict(
                status: .wrongNamespace, format: .ssh, keyFingerprint: fingerprint,
                detail: "an SSH signature in namespace '\(signature.namespace)', not '\(gitNamespace)': it was not made for a Git commit")
        }
        let holders = keys.holders(ofSSH: signature.publicKey)
        guard !holders.isEmpty else {
            return SignatureVerdict(
                status: .unknownKey, format: .ssh, keyFingerprint: fingerprint,
                detail: "signed with SSH key \(fingerprint), which no member of \(ExchangePolicy.path) holds")
        }
        guard signature.verifies(payload, namespace: gitNamespace) else {
            return SignatureVerdict(
                status: .bad, format: .ssh, keyFingerprint: fingerprint,
                detail: "the SSH signature by \(fingerprint) does not verify: the commit or its signature was changed after signing")
        }
        return SignatureVerdict(status: .verified, format: .ssh, keyFingerprint: fingerprint, holders: holders)
    }

    private func openPGPVerdict(_ armored: String, payload: [UInt8], keys: SignatureKeys) async -> SignatureVerdict {
        guard !keys.openPGP.isEmpty else {
            return SignatureVerdict(
                status: .unknownKey, format: .openPGP, detail: "an OpenPGP signature, and \(ExchangePolicy.path) lists no OpenPGP key")
        }
        let verification: OpenPGPVerification?
        do {
            verification = try await gpg.verify(signature: armored, payload: payload, keys: keys.openPGP)
        } catch {
            return SignatureVerdict(
                status: .unverifiable, format: .openPGP,
                detail: "the OpenPGP signature cannot be checked (\(error.message)); install gpg where the check runs")
        }
        guard let verification else {
            return SignatureVerdict(
                status: .bad, format: .openPGP,
                detail: "the OpenPGP signature is not a good signature by a key of \(ExchangePolicy.path) "
                    + "(another key, a revoked key, or a commit changed after signing)")
        }
        var holders: [SignatureVerdict.Holder] = []
        for key in keys.openPGP {
            let fingerprints: [String]
            do {
                fingerprints = try await OpenPGPFingerprints.shared.fingerprints(of: key, using: gpg)
            } catch where error.code == .invalidKey {
                // A block gpg finds no key in signs nothing: the other keys still count.
                continue
            } catch {
                return SignatureVerdict(
                    status: .unverifiable, format: .openPGP, keyFingerprint: verification.primaryKeyFingerprint,
                    detail: "the policy's OpenPGP keys cannot be read (\(error.message))")
            }
            if fingerprints.contains(verification.primaryKeyFingerprint) { holders += keys.holders(ofOpenPGP: key) }
        }
        guard !holders.isEmpty else {
            return SignatureVerdict(
                status: .unknownKey, format: .openPGP, keyFingerprint: verification.primaryKeyFingerprint,
                detail: "signed with OpenPGP key \(verification.primaryKeyFingerprint), which no member of \(ExchangePolicy.path) holds")
        }
        return SignatureVerdict(status: .verified, format: .openPGP, keyFingerprint: verification.primaryKeyFingerprint, holders: holders)
    }

    /// The `sshsig` namespace of Git commit and tag signatures.
    static let gitNamespace = "git"
}

/// The policy's keys, indexed for finding a signature's holders. SSH keys
/// are matched by their key blob (a key line's comment is not part of the key).
struct SignatureKeys {
    private var ssh: [[UInt8]: [SignatureVerdict.Holder]] = [:]
    private var openPGPHolders: [OpenPGPPublicKey: [SignatureVerdict.Holder]] = [:]
    private(set) var openPGP: [OpenPGPPublicKey] = []

    init() {}

    init(_ policy: ExchangePolicy) {
        for party in policy.parties {
            for member in party.members {
                let holder = SignatureVerdict.Holder(party: party.name, member: member.email)
                for key in member.signingKeys {
                    switch key {
                    case .ssh(let key): ssh[key.blob, default: []].append(holder)
                    case .openPGP(let key):
                        if openPGPHolders[key] == nil { openPGP.append(key) }
                        openPGPHolders[key, default: []].append(holder)
                    }
                }
            }
        }
    }

    func holders(ofSSH key: SSHPublicKey) -> [SignatureVerdict.Holder] { ssh[key.blob] ?? [] }
    func holders(ofOpenPGP key: OpenPGPPublicKey) -> [SignatureVerdict.Holder] { openPGPHolders[key] ?? [] }
}

/// The primary-key fingerprints of OpenPGP key blocks, read once per
/// process: a check of many commits asks for the same few keys.
final class OpenPGPFingerprints: Sendable {
    static let shared = OpenPGPFingerprints()
    private let known = Mutex<[OpenPGPPublicKey: [String]]>([:])

    func fingerprints(of key: OpenPGPPublicKey, using gpg: GPGVerifier) async throws(SigningError) -> [String] {
        if let found = known.withLock({ $0[key] }) { return found }
        let found = try await gpg.fingerprints(of: key)
        known.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = found
        }
        return found
    }
}

extension GPGVerifier {
    /// The verifier checkers use unless given another: one per process, so
    /// its keyrings are shared.
    public static let shared = GPGVerifier()
}
