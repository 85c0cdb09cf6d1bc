/// Why an ``OCIMirror`` would not publish or follow the exchange. A refused
/// publication changes nothing in the exchange repository.
public struct OCIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A registry reference (`host[:port]/repository[:tag]`) is not usable.
        case invalidReference
        /// The registry could not be reached, or answered with an unexpected status.
        case registry
        /// The registry or its token service refused the login or the token
        /// (HTTP 401 or 403), or named a token service Giter will not send
        /// a login to.
        case authentication
        /// The registry has no manifest under the tag (nothing published yet).
        case notFound
        /// Something the registry sent is larger than Giter reads.
        case tooLarge
        /// A manifest, descriptor or signature is not what Giter publishes.
        case malformed
        /// Content does not match the digest that names it: it was changed
        /// in the registry or on the way.
        case digestMismatch
        /// The manifest has no signature.
        case unsigned
        /// The signature does not verify over the manifest's digest.
        case badSignature
        /// The key that signed is not a producer's or an admin's in the policy at the published commit.
        case untrustedSigner
        /// A layer does not hold what the published commit holds.
        case layerMismatch
        /// The signer cannot sign publications (not an SSH key), or its key is not in the policy.
        case signing
        /// There is nothing to publish: the exchange branch does not exist.
        case nothingToPublish
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
