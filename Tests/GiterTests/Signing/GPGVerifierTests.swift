import Foundation
import Testing

@testable import Giter

/// `GPGVerifier` against keys and signatures made by the real `gpg`.
@Suite struct GPGVerifierTests {
    @Test(arguments: ["ed25519", "rsa3072"])
    func aSignatureByGPGSignerVerifiesWithTheSignersKey(algorithm: String) async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>", algorithm: algorithm)
            _ = try await home.makeKey("Bob <bob@example.com>")
            let signature = try await GPGSigner(keyID: alice, home: home.path).signature(for: gpgTestPayload)
            let keys = [try await home.publicKey(alice), try await home.publicKey("bob@example.com")]

            let verification = try await GPGVerifier().verify(
                signature: signature,
                payload: gpgTestPayload,
                keys: keys
            )
            #expect(verification == OpenPGPVerification(primaryKeyFingerprint: alice, signingKeyFingerprint: alice))
        }
    }

    @Test func aSigningSubkeyIsReportedBesideItsPrimaryKey() async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let subkey = try await home.addSigningSubkey(to: alice)
            // The "!" makes gpg use exactly that subkey.
            let signature = try await GPGSigner(keyID: subkey + "!", home: home.path).signature(for: gpgTestPayload)
            let verification = try await GPGVerifier().verify(
                signature: signature,
                payload: gpgTestPayload,
                keys: [try await home.publicKey(alice)]
            )
            #expect(verification?.primaryKeyFingerprint == alice)
            #expect(verification?.signingKeyFingerprint == subkey)
        }
    }

    @Test func aTamperedPayloadDoesNotVerify() async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let signature = try await GPGSigner(keyID: alice, home: home.path).signature(for: gpgTestPayload)
            var tampered = gpgTestPayload
            tampered[tampered.count - 2] ^= 0x20
            let keys = [try await home.publicKey(alice)]
            let verifier = GPGVerifier()
            #expect(try await verifier.verify(signature: signature, payload: tampered, keys: keys) == nil)
            #expect(try await verifier.verify(signature: signature, payload: gpgTestPayload, keys: keys) != nil)
        }
    }

    @Test func aSignatureByAKeyOutsideTheSetDoesNotVerify() async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let mallory = try await home.makeKey("Mallory <mallory@example.com>")
            let verifier = GPGVerifier()
            let byMallory = try await GPGSigner(keyID: mallory, home: home.path).signature(for: gpgTestPayload)
            let byAlice = try await GPGSigner(keyID: alice, home: home.path).signature(for: gpgTestPayload)
            let onlyAlice = [try await home.publicKey(alice)]
            let bob = try await home.makeKey("Bob <bob@example.com>")
            let onlyBob = [try await home.publicKey(bob)]

            #expect(try await verifier.verify(signature: byMallory, payload: gpgTestPayload, keys: onlyAlice) == nil)
            #expect(try await verifier.verify(signature: byAlice, payload: gpgTestPayload, keys: onlyBob) == nil)
            #expect(try await verifier.verify(signature: byAlice, payload: gpgTestPayload, keys: []) == nil)
            #expect(try await verifier.verify(signature: byAlice, payload: gpgTestPayload, keys: onlyAlice) != nil)
        }
    }

    @Test func aKeyWhoseExpiryHasPassedStillVerifies() async throws {
        try await GPGTestHome.with { home in
            // Made in 2020 to expire a day later; the signature from that day.
            let carol = try await home.makeKey(
                "Carol <carol@example.com>",
                expires: "1d",
                at: "20200101T000000"
            )
            let signature = try await home.signByHand(
                gpgTestPayload,
                as: carol,
                options: ["--faked-system-time", "20200101T010000"]
            )
            let verification = try await GPGVerifier().verify(
                signature: signature,
                payload: gpgTestPayload,
                keys: [try await home.publicKey(carol)]
            )
            #expect(verification?.primaryKeyFingerprint == carol)
            // Plain gpg calls it a good signature by an expired key.
            #expect(try await home.verifyByHand(signature, gpgTestPayload).reported("EXPKEYSIG"))
        }
    }

    @Test func aSignatureDatedBeforeItsKeyStillVerifies() async throws {
        try await GPGTestHome.with { home in
            // A signer whose clock was years behind: the signature predates the key.
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let signature = try await home.signByHand(
                gpgTestPayload,
                as: alice,
                options: ["--ignore-time-conflict", "--ignore-valid-from", "--faked-system-time", "20200101T000000"]
            )
            let verification = try await GPGVerifier().verify(
                signature: signature,
                payload: gpgTestPayload,
                keys: [try await home.publicKey(alice)]
            )
            #expect(verification?.primaryKeyFingerprint == alice)
            // Plain gpg refuses it: the key "was created in the future".
            #expect(try await home.verifyByHand(signature, gpgTestPayload).reported("ERRSIG"))
        }
    }

    @Test func aRevokedKeyDoesNotVerify() async throws {
        try await GPGTestHome.with { home in
            let dave = try await home.makeKey("Dave <dave@example.com>")
            let signature = try await GPGSigner(keyID: dave, home: home.path).signature(for: gpgTestPayload)
            let before = [try await home.publicKey(dave)]
            try await home.revoke(dave)
            let after = [try await home.publicKey(dave)]
            let verifier = GPGVerifier()
            #expect(try await verifier.verify(signature: signature, payload: gpgTestPayload, keys: before) != nil)
            #expect(try await verifier.verify(signature: signature, payload: gpgTestPayload, keys: after) == nil)
        }
    }

    @Test func whatIsNotADetachedBinarySignatureDoesNotVerify() async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let keys = [try await home.publicKey(alice)]
            let verifier = GPGVerifier()
            let textMode = try await home.signByHand(gpgTestPayload, as: alice, options: ["--textmode"])
            let file = try home.folder.write(gpgTestPayload, to: "inline")
            let inline = try await home.run(["--armor", "--sign", "--local-user", alice, "--output", "-", file]).output
            let garbage = [
                "", "not a signature",
                "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
                "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
            ]
            for signature in [textMode, inline] + garbage {
                #expect(
                    try await verifier.verify(signature: signature, payload: gpgTestPayload, keys: keys) == nil,
                    "\(signature.prefix(40))"
                )
            }
        }
    }

    @Test func manyVerificationsImportTheKeysOnce() async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>")
            let bob = try await home.makeKey("Bob <bob@example.com>")
            let signature = try await GPGSigner(keyID: alice, home: home.path).signature(for: gpgTestPayload)
            let aliceKey = try await home.publicKey(alice)
            let bobKey = try await home.publicKey(bob)
            let verifier = GPGVerifier()
            try await withThrowingTaskGroup(of: OpenPGPVerification?.self) { group in
                for index in 0..<12 {
                    // The same set in either order.
                    let keys = index.isMultiple(of: 2) ? [aliceKey, bobKey] : [bobKey, aliceKey]
                    group.addTask {
                        try await verifier.verify(signature: signature, payload: gpgTestPayload, keys: keys)
                    }
                }
                for try await verification in group {
                    #expect(verification?.primaryKeyFingerprint == alice)
                }
            }
            #expect(await verifier.imports == 1)
            #expect(try await verifier.verify(signature: signature, payload: gpgTestPayload, keys: [aliceKey]) != nil)
            #expect(await verifier.imports == 2)
        }
    }

    @Test func theCacheKeepsTheLastKeySetsAndRemovesTheOthers() async throws {
        try await GPGTestHome.with { home in
            var keys: [OpenPGPPublicKey] = []
            for name in ["a", "b", "c", "d", "e"] {
                keys.append(try await home.publicKey(try await home.makeKey("\(name) <\(name)@example.com>")))
            }
            let signer = GPGSigner(keyID: "a@example.com", home: home.path)
            let signature = try await signer.signature(for: gpgTestPayload)
            var verifier: GPGVerifier? = GPGVerifier()
            // Five sets, each holding the signer's key: the first is evicted.
            for index in 1...5 {
                let set = [keys[0], keys[index - 1]]
                #expect(try await verifier?.verify(signature: signature, payload: gpgTestPayload, keys: set) != nil)
            }
            #expect(await verifier?.homes().count == GPGVerifier.cachedKeySets)
            #expect(await verifier?.imports == 5)
            _ = try await verifier?.verify(signature: signature, payload: gpgTestPayload, keys: [keys[0]])
            #expect(await verifier?.imports == 6)

            // gpg started no agent in them; they go with the verifier.
            let homes = await verifier?.homes() ?? []
            for path in homes {
                #expect(FileManager.default.fileExists(atPath: path))
                #expect(!FileManager.default.fileExists(atPath: path + "/S.gpg-agent"))
            }
            // Releasing the last reference removes them, before `verifier = nil` returns.
            verifier = nil
            #expect(homes.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        }
    }

    @Test func fingerprintsAreThePrimaryKeysOfTheBlock() async throws {
        try await GPGTestHome.with { home in
            let alice = try await home.makeKey("Alice <alice@example.com>")
            _ = try await home.addSigningSubkey(to: alice)
            let bob = try await home.makeKey("Bob <bob@example.com>", algorithm: "rsa3072")
            let verifier = GPGVerifier()
            #expect(try await verifier.fingerprints(of: try await home.publicKey(alice)) == [alice])
            let both = try await verifier.fingerprints(of: try await home.publicKey(alice, bob))
            #expect(Set(both) == [alice, bob])
            let broken = try OpenPGPPublicKey(
                armored: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAAAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n"
            )
            await #expect(throws: SigningError.self) { try await verifier.fingerprints(of: broken) }
        }
    }

    @Test func aMissingGPGIsAnErrorNotAVerdict() async throws {
        let verifier = GPGVerifier(program: "/nonexistent/gpg")
        let key = try OpenPGPPublicKey(armored: GPGPublicKeyTests.alice)
        let signature = "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"
        try await withDeadline {
            do {
                _ = try await verifier.verify(signature: signature, payload: gpgTestPayload, keys: [key])
                Issue.record("verify must throw when gpg cannot run")
            } catch let error as SigningError {
                #expect(error.code == .gpg)
                #expect(error.message.contains("/nonexistent/gpg"))
            }
            await #expect(throws: SigningError.self) { try await verifier.fingerprints(of: key) }
        }
    }
}
