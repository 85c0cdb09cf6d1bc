public import Foundation

/// A certificate authority made for one test with `openssl`, and a server
/// certificate it signed for `localhost` (and `127.0.0.1`): ECDSA P-256,
/// valid for two days. Nothing on the machine trusts it; a client does only
/// when given ``certificateFile``.
public final class TestCertificateAuthority: Sendable {
    /// Holds the keys and certificates.
    public let directory: TemporaryDirectory

    /// The CA's certificate (PEM): what a client is told to trust.
    public var certificateFile: URL { directory.appending("ca.pem") }
    /// The server's certificate (PEM), signed by the CA.
    public var serverCertificateFile: URL { directory.appending("server.pem") }
    /// The server's private key (PEM).
    public var serverKeyFile: URL { directory.appending("server.key") }

    /// Why the test CA cannot be made here (`openssl` missing), or `nil`.
    public static var unavailableReason: String? {
        ExecutableLocator.find("openssl") == nil ? "`openssl` not found; install the Debian package `openssl`" : nil
    }

    /// Makes the CA and the server certificate.
    public init() async throws {
        let openssl = try ExecutableLocator.require("openssl", package: "openssl")
        directory = try TemporaryDirectory(prefix: "giter-test-ca")
        let folder = directory.path
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LC_ALL": "C"]
        let extensions = directory.appending("server.ext")
        try Data(
            """
            subjectAltName = DNS:localhost, IP:127.0.0.1
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth

            """.utf8
        ).write(to: extensions)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await ProcessRunner.runChecked(
            openssl,
            ["req", "-x509"] + curve + [
                "-keyout", "\(folder)/ca.key", "-out", "\(folder)/ca.pem", "-days", "2", "-subj", "/CN=Giter test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ],
            environment: environment)
        try await ProcessRunner.runChecked(
            openssl,
            ["req"] + curve + ["-keyout", "\(folder)/server.key", "-out", "\(folder)/server.csr", "-subj", "/CN=localhost"],
            environment: environment)
        try await ProcessRunner.runChecked(
            openssl,
            [
                "x509", "-req", "-in", "\(folder)/server.csr", "-CA", "\(folder)/ca.pem", "-CAkey", "\(folder)/ca.key",
                "-CAcreateserial", "-out", "\(folder)/server.pem", "-days", "2", "-extfile", extensions.path,
            ],
            environment: environment)
    }
}
