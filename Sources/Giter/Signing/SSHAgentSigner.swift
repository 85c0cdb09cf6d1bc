import Dispatch

/// Signs through `ssh-agent` (the socket at `SSH_AUTH_SOCK`): the agent
/// holds `publicKey`'s private half. RSA asks the agent for rsa-sha2-512.
///
/// Each signature is one `SSH2_AGENTC_SIGN_REQUEST` on a new connection,
/// made off Swift's cooperative thread pool. A read or write that takes
/// longer than 30 seconds (room for an agent that asks its user to
/// confirm) fails with ``SigningError/Code/agent``, as does an agent that
/// does not hold the key. The agent's signature is checked against
/// `publicKey` before it is returned.
public struct SSHAgentSigner: CommitSigner {
    /// The key whose private half the agent holds.
    public let publicKey: SSHPublicKey
    /// The agent's Unix-domain socket.
    public let socketPath: String
    /// The signature's namespace: `git` for commits.
    public let namespace: String

    /// How long one read or write on the agent's socket may take.
    static let timeout = Duration.seconds(30)
    /// The longest agent answer read.
    static let maximumAnswer = 256 * 1024

    static let signRequest: UInt8 = 13  // SSH2_AGENTC_SIGN_REQUEST
    static let signResponse: UInt8 = 14  // SSH2_AGENT_SIGN_RESPONSE
    static let failure: UInt8 = 5  // SSH_AGENT_FAILURE
    static let rsaSHA512Flag: UInt32 = 4  // SSH_AGENT_RSA_SHA2_512

    public init(publicKey: SSHPublicKey, socketPath: String, namespace: String = "git") {
        self.publicKey = publicKey
        self.socketPath = socketPath
        self.namespace = namespace
    }

    public func signature(for payload: [UInt8]) async throws -> String {
        let data = SSHSignature.signedData(for: payload, namespace: namespace, hashAlgorithm: "sha512")
        let request = self.request(signing: data)
        let socketPath = self.socketPath
        let result: Result<[UInt8], SigningError> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(
                    returning: Result { () throws(SigningError) in
                        try SSHSystem.agentExchange(
                            socketPath: socketPath, request: request, timeout: Self.timeout,
                            maximumAnswer: Self.maximumAnswer)
                    })
            }
        }
        let blob = try self.signature(fromAnswer: try result.get(), signing: data)
        return SSHSignature(publicKey: publicKey, namespace: namespace, hashAlgorithm: "sha512", signature: blob)
            .armored
    }

    /// The sign request for `data`: the key blob, the data, and the flags.
    func request(signing data: [UInt8]) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.write(byte: Self.signRequest)
        writer.write(string: publicKey.blob)
        writer.write(string: data)
        writer.write(uint32: publicKey.algorithm == .rsa ? Self.rsaSHA512Flag : 0)
        return writer.bytes
    }

    /// The signature blob in the agent's `answer`, checked against the key.
    func signature(fromAnswer answer: [UInt8], signing data: [UInt8]) throws(SigningError) -> [UInt8] {
        var reader = SSHWireReader(answer, code: .agent, subject: "the ssh-agent answer")
        let type = try reader.readByte()
        guard type == Self.signResponse else {
            if type == Self.failure {
                throw SigningError(
                    .agent,
                    "ssh-agent at \(socketPath) refused to sign with the key \(publicKey.fingerprint): it does not "
                        + "hold it (add it with `ssh-add KEYFILE`), or it was asked to confirm and was refused")
            }
            throw SigningError(.agent, "ssh-agent at \(socketPath) answered the sign request with message type \(type)")
        }
        let blob = try reader.readString()
        try reader.expectEnd()
        var signatureReader = SSHWireReader(blob, code: .agent, subject: "the ssh-agent signature")
        let algorithm = try signatureReader.readText()
        if publicKey.algorithm == .rsa && algorithm != "rsa-sha2-512" {
            throw SigningError(
                .agent,
                "ssh-agent at \(socketPath) signed with '\(SSHPublicKey.excerpt(algorithm))' instead of rsa-sha2-512: "
                    + "SHA-1 RSA signatures are refused; use a newer ssh-agent")
        }
        guard publicKey.isValidSignature(blob, for: data) else {
            throw SigningError(
                .agent, "ssh-agent at \(socketPath) returned a signature that does not verify with the key \(publicKey.fingerprint)")
        }
        return blob
    }
}
