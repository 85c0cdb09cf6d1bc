import Foundation
import Giter
import Testing

/// Giter's SSH signatures against the real `ssh-keygen`, both ways, for
/// every key type Giter signs with.
@Suite("SSH signatures and ssh-keygen", .timeLimit(.minutes(2)))
struct SSHSignatureInteropTests {
    let message = Array("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1700000000 +0000\n\nhello\n".utf8)

    /// A key made by ssh-keygen, read by Giter.
    struct Key {
        let path: String
        let privateKey: SSHPrivateKey
        let publicLine: String
    }

    func makeKey(_ kind: SSHKeyKind, name: String? = nil, in folder: SSHScratchFolder) async throws -> Key {
        let path = try await SSHTestTools.makeKey(kind, name: name, in: folder)
        let privateKey = try SSHPrivateKey(openSSH: String(contentsOfFile: path, encoding: .utf8))
        return Key(path: path, privateKey: privateKey, publicLine: try String(contentsOfFile: path + ".pub", encoding: .utf8))
    }

    func keygenVerifies(_ signature: String, of message: [UInt8], by key: Key, in folder: SSHScratchFolder) async throws
        -> Bool
    {
        try await SSHTestTools.keygenVerifies(signature, of: message, publicLine: key.publicLine, in: folder)
    }

    /// What `ssh-keygen -Y sign -n namespace -f key` writes for `message`.
    func keygenSignature(
        of message: [UInt8], key: Key, namespace: String = "git", options: [String] = [], in folder: SSHScratchFolder
    ) async throws -> String {
        let messagePath = try folder.write(message, to: "sign-message")
        try? FileManager.default.removeItem(atPath: messagePath + ".sig")
        let outcome = try await SSHTestTools.run(
            SSHTestTools.keygen, ["-Y", "sign", "-n", namespace] + options + ["-f", key.path, messagePath], in: folder)
        try #require(outcome.status == 0, "ssh-keygen -Y sign failed: \(outcome.error)")
        return try folder.read("sign-message.sig")
    }

    @Test(SSHTestTools.needsKeygen, arguments: SSHKeyKind.allCases)
    func aSignatureByGiterVerifiesWithSSHKeygen(_ kind: SSHKeyKind) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let key = try await makeKey(kind, in: folder)
            let signer = SSHKeySigner(key: key.privateKey)
            let armored = try await signer.signature(for: message)
            #expect(armored.hasPrefix("-----BEGIN SSH SIGNATURE-----\n"))
            #expect(armored.hasSuffix("\n-----END SSH SIGNATURE-----\n"))
            #expect(try await keygenVerifies(armored, of: message, by: key, in: folder))
            // And not for another message: the check above can fail.
            #expect(try await !keygenVerifies(armored, of: message + [0x0a], by: key, in: folder))
            let parsed = try SSHSignature(armored: armored)
            #expect(parsed.publicKey == key.privateKey.publicKey)
            #expect(parsed.namespace == "git" && parsed.hashAlgorithm == "sha512")
            #expect(parsed.verifies(message, namespace: "git"))
        }
    }

    @Test(SSHTestTools.needsKeygen, arguments: SSHKeyKind.allCases)
    func aSignatureBySSHKeygenVerifiesInGiter(_ kind: SSHKeyKind) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let key = try await makeKey(kind, in: folder)
            let other = try await makeKey(kind, name: "other", in: folder)
            let signature = try SSHSignature(armored: try await keygenSignature(of: message, key: key, in: folder))
            #expect(signature.publicKey == key.privateKey.publicKey)
            #expect(signature.verifies(message, namespace: "git"))

            var tampered = message
            tampered[5] ^= 0x01
            #expect(!signature.verifies(tampered, namespace: "git"))
            #expect(!signature.verifies(message + [0x0a], namespace: "git"))
            #expect(!signature.verifies(message, namespace: "file"))

            let inFile = try SSHSignature(
                armored: try await keygenSignature(of: message, key: key, namespace: "file", in: folder))
            #expect(inFile.verifies(message, namespace: "file"))
            #expect(!inFile.verifies(message, namespace: "git"))

            // The same signature bytes claimed by another key.
            let claimed = SSHSignature(
                publicKey: other.privateKey.publicKey, namespace: "git", hashAlgorithm: signature.hashAlgorithm,
                signature: signature.signature)
            #expect(!claimed.verifies(message, namespace: "git"))

            // Every byte of the signature's last 16 flipped in turn: none verifies.
            for index in signature.signature.indices.suffix(16) {
                var flipped = signature.signature
                flipped[index] ^= 0x40
                let bad = SSHSignature(
                    publicKey: signature.publicKey, namespace: "git", hashAlgorithm: "sha512", signature: flipped)
                #expect(!bad.verifies(message, namespace: "git"), "flipped byte \(index) still verifies")
            }
        }
    }

    @Test(SSHTestTools.needsKeygen)
    func anEd25519SignatureIsByteIdenticalToSSHKeygens() async throws {
        #if canImport(Darwin)
        // CryptoKit's Ed25519 signatures are randomized; swift-crypto's
        // BoringSSL backend (Linux) is deterministic, as OpenSSH is.
        return
        #else
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let key = try await makeKey(.ed25519, in: folder)
            let theirs = try await keygenSignature(of: message, key: key, in: folder)
            let ours = try await SSHKeySigner(key: key.privateKey).signature(for: message)
            #expect(ours == theirs)
        }
        #endif
    }

    @Test(SSHTestTools.needsKeygen)
    func aSignatureWithSHA256VerifiesAndOneRelabeledDoesNot() async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let key = try await makeKey(.ed25519, in: folder)
            let armored = try await keygenSignature(of: message, key: key, options: ["-O", "hashalg=sha256"], in: folder)
            let signature = try SSHSignature(armored: armored)
            #expect(signature.hashAlgorithm == "sha256")
            #expect(signature.verifies(message, namespace: "git"))
            for hash in ["sha512", "md5", ""] {
                let relabeled = SSHSignature(
                    publicKey: signature.publicKey, namespace: "git", hashAlgorithm: hash, signature: signature.signature)
                #expect(!relabeled.verifies(message, namespace: "git"), "verifies as \(hash)")
            }
        }
    }
}
