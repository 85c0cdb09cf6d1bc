/// What a `--signing-key FILE` names: a private key, or only a public key
/// (a `.pub` file, or an encrypted private key whose public half is in
/// clear): then the agent signs.
public enum SSHKeyFile: Sendable {
    /// An unencrypted OpenSSH private key: Giter signs in process.
    case privateKey(SSHPrivateKey)
    /// A public key line, or the public half of an encrypted private key:
    /// `ssh-agent` must hold the private half.
    case publicKey(SSHPublicKey)

    /// The longest key file read.
    static let maximumLength = SSHKeyContainer.maximumLength

    /// Reads the key file at `path`.
    ///
    /// An OpenSSH private key file gives ``privateKey(_:)``, or
    /// ``publicKey(_:)`` when it is encrypted; a file whose first line
    /// that is not blank or a `#` comment is a public key line (a `.pub`
    /// file) gives ``publicKey(_:)``. Throws ``SigningError/Code/io`` when
    /// the file cannot be read, and ``SigningError/Code/unsupportedKey``
    /// for PEM private keys (`-----BEGIN RSA PRIVATE KEY-----` and the
    /// like), which Giter does not read.
    public init(contentsOf path: String) throws(SigningError) {
        let bytes = try SSHSystem.readFile(at: path, limit: Self.maximumLength)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SigningError(.invalidKey, "the key file \(path) is not text: expected an OpenSSH key")
        }
        do {
            self = try Self(text: text)
        } catch {
            throw SigningError(error.code, "the key file \(path): \(error.message)", underlying: error.underlying)
        }
    }

    /// Reads a key file's text.
    init(text: String) throws(SigningError) {
        if SSHKeyContainer.isOpenSSHPrivateKey(text) {
            let container = try SSHKeyContainer(text: text)
            if container.isEncrypted {
                self = .publicKey(container.publicKey)
            } else {
                self = .privateKey(try SSHPrivateKey(openSSH: text))
            }
            return
        }
        let lines = text.split(whereSeparator: \.isNewline)
        guard let line = lines.first(where: { !$0.allSatisfy(\.isWhitespace) && !$0.hasPrefix("#") }) else {
            throw SigningError(.invalidKey, "it is empty: expected an OpenSSH private key or a public key line")
        }
        if line.hasPrefix("-----BEGIN") {
            throw SigningError(
                .unsupportedKey,
                "it is a PEM key ('\(SSHPublicKey.excerpt(String(line)))'), which Giter does not read: convert the "
                    + "private key to the OpenSSH format with `ssh-keygen -p -f KEYFILE`, or name its .pub file and "
                    + "load it into ssh-agent")
        }
        self = .publicKey(try SSHPublicKey(line: String(line)))
    }
}
