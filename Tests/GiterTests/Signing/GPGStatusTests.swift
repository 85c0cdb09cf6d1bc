import Testing

@testable import Giter

/// What `gpg --status-fd --verify` prints, read without running gpg.
@Suite struct GPGStatusTests {
    static let alice = "19381CEFFA553E7F84FF884D32890AD6ED8B5582"
    static let subkey = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"

    static func validsig(
        _ signing: String = alice,
        hash: String = "8",
        sigClass: String = "00",
        primary: String? = alice
    ) -> String {
        "[GNUPG:] VALIDSIG \(signing) 2026-12-02 1796197028 0 4 0 22 \(hash) \(sigClass)"
            + (primary.map { " \($0)" } ?? "")
    }

    static func status(_ lines: String...) -> String {
        (["[GNUPG:] NEWSIG alice@example.com", "[GNUPG:] KEY_CONSIDERED \(alice) 0"] + lines)
            .joined(separator: "\n") + "\n"
    }

    @Test func aGoodSignatureGivesBothFingerprints() {
        let text = Self.status(
            "[GNUPG:] SIG_ID KaurwyN4dTOYvAAQuffBBo/p3lg 2026-12-02 1796197028",
            "[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice <alice@example.com>",
            Self.validsig(Self.subkey, primary: Self.alice),
            "[GNUPG:] TRUST_UNDEFINED 0 pgp"
        )
        let verification = OpenPGPVerification(status: text)
        #expect(verification?.primaryKeyFingerprint == Self.alice)
        #expect(verification?.signingKeyFingerprint == Self.subkey)
    }

    @Test func aGoodSignatureByAnExpiredKeyCounts() {
        let text = Self.status(
            "[GNUPG:] KEYEXPIRED 1577923200",
            "[GNUPG:] EXPKEYSIG 32890AD6ED8B5582 Alice <alice@example.com>",
            Self.validsig()
        )
        #expect(OpenPGPVerification(status: text)?.primaryKeyFingerprint == Self.alice)
    }

    @Test func withoutAPrimaryFingerprintTheSigningKeyIsThePrimary() {
        let text = Self.status("[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice", Self.validsig(primary: nil))
        #expect(OpenPGPVerification(status: text)?.primaryKeyFingerprint == Self.alice)
    }

    /// Status texts that must not verify, and what each one is.
    static let refusedStatus: [(String, String)] = [
        ("a bad signature", status("[GNUPG:] BADSIG 32890AD6ED8B5582 Alice", "[GNUPG:] FAILURE gpg-exit 33554433")),
        (
            "an unknown key",
            status(
                "[GNUPG:] ERRSIG 32890AD6ED8B5582 22 8 00 1796197028 9 \(alice)",
                "[GNUPG:] NO_PUBKEY 32890AD6ED8B5582"
            )
        ),
        ("a revoked key", status("[GNUPG:] REVKEYSIG 32890AD6ED8B5582 Alice", validsig())),
        ("an expired signature", status("[GNUPG:] EXPSIG 32890AD6ED8B5582 Alice", validsig())),
        ("no VALIDSIG", status("[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice")),
        ("no GOODSIG", status(validsig())),
        ("a text-mode signature", status("[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice", validsig(sigClass: "01"))),
        ("a SHA-1 digest", status("[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice", validsig(hash: "2"))),
        (
            "embedded data",
            status("[GNUPG:] PLAINTEXT 62 1796197028", "[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice", validsig())
        ),
        (
            "two signatures",
            status(
                "[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice",
                validsig(),
                "[GNUPG:] NEWSIG",
                "[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice",
                validsig()
            )
        ),
        (
            "a good and a bad signature",
            status(
                "[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice",
                validsig(),
                "[GNUPG:] NEWSIG",
                "[GNUPG:] BADSIG 32890AD6ED8B5582 Alice"
            )
        ),
        (
            "a malformed fingerprint",
            status("[GNUPG:] GOODSIG 32890AD6ED8B5582 Alice", validsig("19381cef", primary: "19381cef"))
        ),
        ("nothing", ""),
        ("no status lines", "gpg: Good signature from \"Alice\"\n"),
    ]

    @Test(arguments: GPGStatusTests.refusedStatus)
    func refuses(_ what: String, _ text: String) {
        #expect(OpenPGPVerification(status: text) == nil, "\(what) must not verify")
    }

    @Test func primaryFingerprintsSkipSubkeys() {
        let colons = """
            pub:-:255:22:32890AD6ED8B5582:1796197026:::-:::scSC:::::ed25519:::0:
            fpr:::::::::19381CEFFA553E7F84FF884D32890AD6ED8B5582:
            uid:-::::1796197026::AD66BA4CCE5C5EE636FAD1BE2B9A0DB88903021E::Alice <alice@example.com>::::::::::0:
            sub:-:255:22:0123456789ABCDEF:1796197026::::::s:::::ed25519::
            fpr:::::::::A1B2C3D4E5F60718293A4B5C6D7E8F9012345678:
            pub:e:255:22:E971F5519EAE4C23:1577836800:1577923200::-:::sc:::::ed25519:::0:
            fpr:::::::::60452033363E381924F93D46E971F5519EAE4C23:
            """
        #expect(
            GPGVerifier.primaryFingerprints(inColons: colons) == [
                "19381CEFFA553E7F84FF884D32890AD6ED8B5582", "60452033363E381924F93D46E971F5519EAE4C23",
            ]
        )
    }
}
