/// Chooses how to sign with an SSH key file.
public enum SSHSigning {
    /// The signer a key file calls for: in process for an unencrypted
    /// private key; `ssh-agent` (`environment["SSH_AUTH_SOCK"]`) for a
    /// public key or an encrypted private key. Throws a clear error when the
    /// agent is needed and `SSH_AUTH_SOCK` is unset.
    ///
    /// The agent is not contacted here: whether it holds the key shows at
    /// the first signature (``SigningError/Code/agent``). `namespace` is the
    /// signature's `sshsig` namespace: `git` for commits, `giter-oci` for an
    /// OCI publication.
    public static func signer(keyFile path: String, environment: [String: String], namespace: String = "git")
        throws(SigningError) -> any CommitSigner
    {
        switch try SSHKeyFile(contentsOf: path) {
        case .privateKey(let key):
            return SSHKeySigner(key: key, namespace: namespace)
        case .publicKey(let key):
            guard let socket = environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
                throw SigningError(
                    .agent,
                    "the key file \(path) holds only the public key \(key.fingerprint) (a public key file, or an "
                        + "encrypted private key), so ssh-agent must sign, but SSH_AUTH_SOCK is not set: start "
                        + "ssh-agent and `ssh-add` the private key, or give an unencrypted private key file")
            }
            return SSHAgentSigner(publicKey: key, socketPath: socket, namespace: namespace)
        }
    }
}
