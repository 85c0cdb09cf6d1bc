import Foundation
import Giter
import Testing

/// `OpenPGPPublicKey` checks the armor framing, nothing more.
@Suite struct GPGPublicKeyTests {
    /// An ed25519 key as `gpg --armor --export` prints it.
    static let alice = """
        -----BEGIN PGP PUBLIC KEY BLOCK-----

        mDMEaw/KohYJKwYBBAHaRw8BAQdAD25t/Id6JFy1mmRafqQ6g1o3LB7WVqS6jupC
        KEKGU6m0GUFsaWNlIDxhbGljZUBleGFtcGxlLmNvbT6IkAQTFggAOBYhBBk4HO/6
        VT5/hP+ITTKJCtbti1WCBQJrD8qiAhsDBQsJCAcCBhUKCQgLAgQWAgMBAh4BAheA
        AAoJEDKJCtbti1WCiA8BAOukNyX5JfomXW9TJFxcaMKOYcpoeV/4KGZK8B+O7FSx
        AP9zU03wLJ+uWARkCIopYjah9aH8A1MyQoecDpMZeWDqDw==
        =Q3/A
        -----END PGP PUBLIC KEY BLOCK-----

        """

    @Test func readsAnExportedKey() throws {
        let key = try OpenPGPPublicKey(armored: Self.alice)
        #expect(key.armored == Self.alice)
    }

    @Test func acceptsHeadersCarriageReturnsAndNoChecksum() throws {
        let withHeader = Self.alice.replacingFirst(
            "-----\n\n",
            with: "-----\nComment: Alice's signing key\n\n"
        )
        _ = try OpenPGPPublicKey(armored: withHeader)
        _ = try OpenPGPPublicKey(armored: Self.alice.split(separator: "\n").joined(separator: "\r\n"))
        // A block scalar in YAML loses the final newline; the armor may lack the checksum.
        _ = try OpenPGPPublicKey(armored: String(Self.alice.dropLast()))
        _ = try OpenPGPPublicKey(armored: Self.alice.replacingFirst("=Q3/A\n", with: ""))
    }

    static let malformed: [(String, String)] = [
        ("empty", ""),
        ("an SSH key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOr alice@example.com"),
        ("a private key", alice.replacingOccurrences(of: "PUBLIC KEY", with: "PRIVATE KEY")),
        ("a signature", alice.replacingOccurrences(of: "PUBLIC KEY BLOCK", with: "SIGNATURE")),
        ("no end line", alice.replacingFirst("-----END PGP PUBLIC KEY BLOCK-----", with: "")),
        ("no key data", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n"),
        ("a body that is not base64", alice.replacingFirst("mDMEaw", with: "mD*Eaw")),
        ("a bad checksum line", alice.replacingFirst("=Q3/A", with: "=Q3/A!")),
        ("text before the block", "My key:\n" + alice),
        ("two blocks", alice + alice),
        ("a header line without a colon", alice.replacingFirst("-----\n\n", with: "-----\nhello\n\n")),
    ]

    @Test(arguments: GPGPublicKeyTests.malformed)
    func refuses(_ what: String, _ text: String) {
        #expect(throws: SigningError.self, "\(what) must be refused") {
            try OpenPGPPublicKey(armored: text)
        }
        do {
            _ = try OpenPGPPublicKey(armored: text)
        } catch {
            #expect(error.code == .invalidKey)
            #expect(error.message.contains("gpg --armor --export"))
        }
    }

    @Test func refusesAHugeBlock() {
        let huge = Self.alice.replacingFirst(
            "mDMEaw",
            with: String(repeating: String(repeating: "A", count: 64) + "\n", count: 20_000) + "mDMEaw"
        )
        #expect(throws: SigningError.self) { try OpenPGPPublicKey(armored: huge) }
    }
}

extension String {
    /// `self` with the first `target` replaced by `replacement`.
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
