import Foundation
import Giter
import Testing

@Suite("SSH public keys", .timeLimit(.minutes(2)))
struct SSHPublicKeyTests {
    /// A public key line made once by ssh-keygen (an ed25519 key of no use but to these tests).
    static let line =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWMs8pG me@x"
    /// What `ssh-keygen -lf` printed for it.
    static let fingerprint = "SHA256:ljQnqMeU99c2ThCriPZVEqAxnHYwk2Y27X9+/TxhFXw"

    @Test func aKeyLineIsReadWithItsComment() throws {
        let key = try SSHPublicKey(line: Self.line)
        #expect(key.algorithm == .ed25519)
        #expect(key.comment == "me@x")
        #expect(key.blob.count == 51)
        #expect(key.fingerprint == Self.fingerprint)
        #expect(key.description == Self.line)
        #expect(try SSHPublicKey(line: key.description) == key)
    }

    @Test func theCommentIsOptionalAndTakesNoPartInEquality() throws {
        let fields = Self.line.split(separator: " ")
        let bare = try SSHPublicKey(line: "\(fields[0]) \(fields[1])\n")
        #expect(bare.comment == nil)
        #expect(bare.description == "\(fields[0]) \(fields[1])")
        let spaced = try SSHPublicKey(line: "\(fields[0])\t\(fields[1])   a comment with spaces \r\n")
        #expect(spaced.comment == "a comment with spaces")
        let key = try SSHPublicKey(line: Self.line)
        #expect(bare == key && spaced == key)
        #expect(Set([bare, spaced, key]).count == 1)
        #expect(try SSHPublicKey(blob: key.blob) == key)
    }

    @Test(arguments: [
        "", "ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWMs8pG",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWMs8p",  // bad base64
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWM",  // truncated key
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWMs8pG!",
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWMs8pG",  // the type disagrees
        "command=\"x\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWMs8pG",
        "ssh-ed25519 " + String(repeating: "A", count: 20_000),
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEnJfYI+zsGRHbNl24wgSq5exI0UQCCFIYcCSSWMs8pG me\nssh-rsa AAAA",
    ])
    func aMalformedLineIsAnInvalidKey(_ line: String) {
        #expect(SSHTestTools.errorCode { try SSHPublicKey(line: line) } == .invalidKey)
    }

    @Test func anUnknownKeyTypeIsUnsupported() throws {
        var blob = [UInt8]()
        let type = Array("ssh-dss".utf8)
        blob += [0, 0, 0, UInt8(type.count)] + type + [0, 0, 0, 1, 7]
        #expect(SSHTestTools.errorCode { try SSHPublicKey(blob: blob) } == .unsupportedKey)
    }

    @Test(SSHTestTools.needsKeygen, arguments: SSHKeyKind.allCases)
    func theFingerprintIsSSHKeygens(_ kind: SSHKeyKind) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let path = try await SSHTestTools.makeKey(kind, in: folder)
            let key = try SSHPublicKey(line: try String(contentsOfFile: path + ".pub", encoding: .utf8))
            #expect(key.comment == "test@giter")
            let outcome = try await SSHTestTools.run(SSHTestTools.keygen, ["-lf", path + ".pub"], in: folder)
            let fields = outcome.output.split(separator: " ")
            try #require(fields.count >= 2, "ssh-keygen -lf printed '\(outcome.output)' \(outcome.error)")
            #expect(key.fingerprint == String(fields[1]))
        }
    }

    @Test(SSHTestTools.needsKeygen, arguments: [("rsa", "1024"), ("ecdsa", "521")])
    func smallRSAKeysAndP521AreUnsupported(_ type: String, _ bits: String) async throws {
        try await withDeadline {
            let folder = try SSHScratchFolder()
            let path = folder.file("key")
            let made = try await SSHTestTools.run(
                SSHTestTools.keygen, ["-q", "-t", type, "-b", bits, "-N", "", "-f", path], in: folder)
            try #require(made.status == 0, "ssh-keygen -t \(type) -b \(bits): \(made.error)")
            let line = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            let error = SSHTestTools.error { try SSHPublicKey(line: line) }
            #expect(error?.code == .unsupportedKey)
            if type == "rsa" { #expect(error?.message.contains("under 2048 bits") == true, "\(String(describing: error))") }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(SSHTestTools.errorCode { try SSHPrivateKey(openSSH: text) } == .unsupportedKey)
        }
    }
}
