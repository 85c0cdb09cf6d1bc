/// Signs with a private key in this process: the `sshsig` signature
/// `ssh-keygen -Y sign -n git` makes, with SHA-512.
public struct SSHKeySigner: CommitSigner {
    /// The key that signs.
    public let key: SSHPrivateKey
    /// The signature's namespace: `git` for commits.
    public let namespace: String

    public init(key: SSHPrivateKey, namespace: String = "git") {
        self.key = key
        self.namespace = namespace
    }

    public func signature(for payload: [UInt8]) async throws -> String {
        try key.sign(payload, namespace: namespace).armored
    }
}
