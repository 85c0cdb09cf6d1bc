/// A good signature by one of the keys given.
///
/// ``GPGVerifier/verify(signature:payload:keys:)`` returns one when `gpg`
/// found the signature good, made by a key of the set it was given; the
/// caller maps ``primaryKeyFingerprint`` to the policy entry whose key has
/// that fingerprint (``GPGVerifier/fingerprints(of:)``).
public struct OpenPGPVerification: Sendable, Hashable {
    /// The fingerprint of the primary key (upper-case hex, 40 digits for v4).
    public let primaryKeyFingerprint: String
    /// The fingerprint of the (sub)key that signed.
    public let signingKeyFingerprint: String

    init(primaryKeyFingerprint: String, signingKeyFingerprint: String) {
        self.primaryKeyFingerprint = primaryKeyFingerprint
        self.signingKeyFingerprint = signingKeyFingerprint
    }
}
