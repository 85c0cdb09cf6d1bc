import Foundation
import Testing

@testable import Giter

/// `GPGSigner` runs the real `gpg` as git does.
@Suite struct GPGSignerTests {
    @Test func signsAsPlainGPGVerifies() async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let signature = try await GPGSigner(keyID: "alice@example.com", home: home.path)
                .signature(for: gpgTestPayload)
            #expect(signature.hasPrefix("-----BEGIN PGP SIGNATURE-----\n"))
            #expect(signature.hasSuffix("-----END PGP SIGNATURE-----\n"))

            let checked = try await home.verifyByHand(signature, gpgTestPayload)
            #expect(checked.succeeded)
            #expect(checked.reported("GOODSIG"))
            #expect(checked.statusLines.contains { $0.hasPrefix("[GNUPG:] VALIDSIG \(alice) ") })
            var tampered = gpgTestPayload
            tampered.append(0x0A)
            #expect(try await !home.verifyByHand(signature, tampered).succeeded)
        }
    }

    @Test func anUnknownKeyIsAClearError() async throws {
        try await GPGTestHome.with { home in
            _ = try await home.makeKey("Alice <alice@example.com>")
            let signer = GPGSigner(keyID: "nobody@example.com", home: home.path)
            do {
                _ = try await signer.signature(for: gpgTestPayload)
                Issue.record("signing with a key that is not there must throw")
            } catch let error as SigningError {
                #expect(error.code == .gpg)
                #expect(error.message.contains("no usable secret key 'nobody@example.com'"))
                #expect(error.message.contains(home.path))
                #expect(error.message.contains("gpg --list-secret-keys"))
            }
        }
    }

    @Test func aKeyWithAPassphraseSaysWhatToDo() async throws {
        try await GPGTestHome.with { home in
            let outcome = try await home.run([
                "--passphrase", "secret", "--pinentry-mode", "loopback",
                "--quick-gen-key", "Eve <eve@example.com>", "ed25519", "sign", "0",
            ])
            #expect(outcome.reported("KEY_CREATED"))
            // The agent must not still hold the passphrase from making the key.
            await home.stopAgent()
            let signer = GPGSigner(keyID: "eve@example.com", home: home.path)
            do {
                _ = try await signer.signature(for: gpgTestPayload)
                Issue.record("signing without the passphrase must throw")
            } catch let error as SigningError {
                #expect(error.code == .gpg)
                #expect(error.message.contains("needs its passphrase"), "\(error.message)")
            }
        }
    }

    @Test(arguments: ["", "-x", "--homedir=/tmp", "alice\n--batch"])
    func refusesWhatIsNotAKeyID(_ keyID: String) async throws {
        let error = await #expect(throws: SigningError.self) {
            _ = try await GPGSigner(keyID: keyID, program: "/nonexistent/gpg").signature(for: gpgTestPayload)
        }
        #expect(error?.message.contains("is not a GPG key ID") == true)
    }

    @Test func aMissingGPGIsAClearError() async throws {
        try await withDeadline {
            do {
                _ = try await GPGSigner(keyID: "alice@example.com", program: "/nonexistent/gpg")
                    .signature(for: gpgTestPayload)
                Issue.record("signing without gpg must throw")
            } catch let error as SigningError {
                #expect(error.code == .gpg)
                #expect(error.message.contains("/nonexistent/gpg"))
            }
        }
    }
}
