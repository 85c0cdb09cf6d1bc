extension OpenPGPVerification {
    /// Reads what `gpg --status-fd --verify` printed for one detached
    /// signature; `nil` unless it reports exactly one good signature.
    ///
    /// Good means: one signature (one `NEWSIG`), reported `GOODSIG` — or
    /// `EXPKEYSIG`, since dates inside keys do not count — with its
    /// `VALIDSIG` line, over binary data (signature class `00`, what
    /// `gpg -bsa` and git make) with a SHA-2 or SHA-3 digest. Anything that
    /// casts doubt refuses: a bad signature, an unknown or revoked key, an
    /// expired signature, embedded data, a second signature, a missing or
    /// malformed fingerprint.
    init?(status text: String) {
        var results: [Substring] = []
        var valid: [[Substring]] = []
        var signatures = 0
        for line in text.split(separator: "\n") {  // only LF: a user ID may hold U+2028 and the like
            guard line.hasPrefix(Self.statusPrefix) else { continue }
            let fields = line.dropFirst(Self.statusPrefix.count).split(separator: " ", omittingEmptySubsequences: true)
            guard let keyword = fields.first else { continue }
            if Self.refusing.contains(keyword) { return nil }
            switch keyword {
            case "NEWSIG": signatures += 1
            case "GOODSIG", "EXPKEYSIG": results.append(keyword)
            case "VALIDSIG": valid.append(Array(fields.dropFirst()))
            default: break
            }
        }
        guard signatures <= 1, results.count == 1, valid.count == 1 else { return nil }
        // VALIDSIG <fpr> <date> <timestamp> <expires> <version> <reserved>
        //          <pubkey-algo> <hash-algo> <class> [<primary-fpr>]
        let fields = valid[0]
        guard fields.count >= 9, Self.acceptedDigests.contains(fields[7]), fields[8] == "00" else { return nil }
        let signing = String(fields[0])
        let primary = fields.count >= 10 ? String(fields[9]) : signing
        guard Self.isFingerprint(signing), Self.isFingerprint(primary) else { return nil }
        self.init(primaryKeyFingerprint: primary, signingKeyFingerprint: signing)
    }

    private static let statusPrefix = "[GNUPG:] "

    /// Status keywords that mean the signature must not count, wherever they appear.
    private static let refusing: Set<Substring> = [
        "BADSIG", "ERRSIG", "NO_PUBKEY", "REVKEYSIG", "EXPSIG", "KEYREVOKED", "PLAINTEXT", "NODATA",
        "UNEXPECTED", "BADARMOR", "FAILURE", "ERROR", "DECRYPTION_FAILED", "BEGIN_DECRYPTION",
    ]

    /// OpenPGP hash algorithm ids accepted: SHA-256, SHA-384, SHA-512,
    /// SHA-224, SHA3-256, SHA3-512. MD5, SHA-1 and RIPEMD-160 are refused.
    private static let acceptedDigests: Set<Substring> = ["8", "9", "10", "11", "12", "14"]

    /// Upper-case hex of a v4 (40 digits) or v5/v6 (64 digits) fingerprint.
    static func isFingerprint(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }
    }
}
