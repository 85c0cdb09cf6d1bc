import Foundation
import Giter
import Testing

@Suite("SSH private keys and key files", .timeLimit(.minutes(2)))
struct SSHPrivateKeyTests {
    /// An unencrypted OpenSSH key file taken apart: the public key blob and the private section.
    struct Parts {
        var publicBlob: [UInt8]
        var privateSection: [UInt8]

        init(_ text: String) throws {
            let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            var bytes = try #require(Data(base64Encoded: body).map { [UInt8]($0) })
            bytes.removeFirst(15 + 8 + 8 + 4 + 4)  // magic, "none", "none", empty options, count 1
            publicBlob = Parts.take(&bytes)
            privateSection = Parts.take(&bytes)
        }

        static func take(_ bytes: inout [UInt8]) -> [UInt8] {
            let length = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            defer { bytes.removeFirst(4 + length) }
            return Array(bytes[4..<(4 + length)])
        }

        static func string(_ bytes: [UInt8]) -> [UInt8] {
            let count = UInt32(bytes.count)
            return [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)] + bytes
        }

        /// The key file text again.
        var text: String {
            let none = Parts.string(Array("none".utf8))
            let bytes =
                Array("openssh-key-v1".utf8) + [0] + none + none + Parts.string([]) + [0, 0, 0, 1]
                + Parts.string(publicBlob) + Parts.string(privateSection)
            let base64 = Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            return "-----BEGIN OPENSSH PRIVATE KEY-----\n\(base64)\n-----END OPENSSH PRIVATE KEY-----\n"
        }
    }

    @Test(SSHTestTools.needsKeygen, arguments: SSHKeyKind.allCases)
    func anUnencryptedKeyFileIsAPrivateKeyAndItsPubFileAPublicKey(_ kind: SSHKeyKind) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let path = try await SSHTestTools.makeKey(kind, in: folder)
            let line = try SSHPublicKey(line: String(contentsOfFile: path + ".pub", encoding: .utf8))
            guard case .privateKey(let key) = try SSHKeyFile(contentsOf: path) else {
                Issue.record("an unencrypted key file is not read as a private key")
                return
            }
            #expect(key.publicKey == line)
            #expect(key.publicKey.comment == "test@giter")
            guard case .publicKey(let publicKey) = try SSHKeyFile(contentsOf: path + ".pub") else {
                Issue.record("a .pub file is not read as a public key")
                return
            }
            #expect(publicKey == line)
            #expect(try SSHSigning.signer(keyFile: path, environment: [:]) is SSHKeySigner)
        }
    }

    @Test(SSHTestTools.needsKeygen, arguments: [SSHKeyKind.ed25519, .rsa3072])
    func anEncryptedKeyFileGivesItsPublicKeyAndNoPrivateKey(_ kind: SSHKeyKind) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let path = try await SSHTestTools.makeKey(kind, passphrase: "secret", in: folder)
            let line = try SSHPublicKey(line: String(contentsOfFile: path + ".pub", encoding: .utf8))
            guard case .publicKey(let key) = try SSHKeyFile(contentsOf: path) else {
                Issue.record("an encrypted key file is read as a private key")
                return
            }
            #expect(key == line)
            let error = SSHTestTools.error { try SSHPrivateKey(openSSH: String(contentsOfFile: path, encoding: .utf8)) }
            #expect(error?.code == .encryptedKey)
            #expect(error?.message.contains("ssh-agent") == true, "\(String(describing: error))")
            // Without an agent, the signer says what to do.
            let noAgent = SSHTestTools.error { try SSHSigning.signer(keyFile: path, environment: [:]) }
            #expect(noAgent?.code == .agent)
            #expect(noAgent?.message.contains("SSH_AUTH_SOCK") == true)
            let signer = try SSHSigning.signer(keyFile: path, environment: ["SSH_AUTH_SOCK": folder.file("agent")])
            #expect((signer as? SSHAgentSigner)?.publicKey == line)
        }
    }

    @Test(SSHTestTools.needsKeygen)
    func aPEMKeyIsUnsupportedAndAMissingFileIsAnIOError() async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let path = folder.file("pem")
            let made = try await SSHTestTools.run(
                SSHTestTools.keygen, ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", path], in: folder)
            try #require(made.status == 0, "ssh-keygen -m PEM: \(made.error)")
            #expect(SSHTestTools.errorCode { try SSHKeyFile(contentsOf: path) } == .unsupportedKey)
            #expect(SSHTestTools.errorCode { try SSHKeyFile(contentsOf: folder.file("absent")) } == .io)
            #expect(SSHTestTools.errorCode { try SSHKeyFile(contentsOf: folder.path) } == .io)
            try folder.write([], to: "empty")
            #expect(SSHTestTools.errorCode { try SSHKeyFile(contentsOf: folder.file("empty")) } == .invalidKey)
        }
    }

    @Test(SSHTestTools.needsKeygen)
    func aKeyFileWhoseHalvesDisagreeIsInvalid() async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let one = try Parts(String(contentsOfFile: try await SSHTestTools.makeKey(.ed25519, in: folder), encoding: .utf8))
            let other = try Parts(
                String(
                    contentsOfFile: try await SSHTestTools.makeKey(.ed25519, name: "other", in: folder), encoding: .utf8))
            #expect(throws: Never.self) { try SSHPrivateKey(openSSH: one.text) }

            var checks = one
            checks.privateSection[7] ^= 0x01  // the second check number
            #expect(SSHTestTools.errorCode { try SSHPrivateKey(openSSH: checks.text) } == .invalidKey)

            var swapped = one
            swapped.publicBlob = other.publicBlob
            #expect(SSHTestTools.errorCode { try SSHPrivateKey(openSSH: swapped.text) } == .invalidKey)

            // The seed's copy of the public key (the last 32 bytes of the 64-byte private field).
            var halves = one
            let field = 8 + 4 + 11 + 4 + 32 + 4
            halves.privateSection[field + 40] ^= 0x01
            #expect(SSHTestTools.errorCode { try SSHPrivateKey(openSSH: halves.text) } == .invalidKey)

            var truncated = one
            truncated.privateSection.removeLast(12)
            #expect(SSHTestTools.errorCode { try SSHPrivateKey(openSSH: truncated.text) } == .invalidKey)
        }
    }

    @Test(SSHTestTools.needsKeygen, arguments: [SSHKeyKind.ed25519, .ecdsaP384, .rsa3072])
    func randomMutationsOfAKeyFileNeverTrap(_ kind: SSHKeyKind) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let text = try String(contentsOfFile: try await SSHTestTools.makeKey(kind, in: folder), encoding: .utf8)
            let parts = try Parts(text)
            let original = try SSHPrivateKey(openSSH: text)
            var random = SplitMix64(seed: 0x0B5E_55ED)
            for _ in 0..<(kind == .rsa3072 ? 100 : 300) {
                var mutated = parts
                if Bool.random(using: &random) {
                    mutated.privateSection = random.mutate(parts.privateSection)
                } else {
                    mutated.publicBlob = random.mutate(parts.publicBlob)
                }
                do {
                    let key = try SSHPrivateKey(openSSH: mutated.text)
                    // Only a change that leaves the key itself intact (the comment) may still read.
                    #expect(key.publicKey == original.publicKey)
                } catch let error as SigningError {
                    #expect(error.code == .invalidKey || error.code == .unsupportedKey, "\(error)")
                } catch {
                    Issue.record("threw \(error), not a SigningError")
                }
            }
        }
    }
}
