internal import Crypto
public import Foundation
internal import Synchronization

/// A token service for ``OCIRegistryServer`` (distribution's `auth: token`)
/// on 127.0.0.1, in this process: `GET /token?service=…&scope=…`, with
/// HTTP basic authentication for the ``users`` or anonymous, answers
/// `{"token", "access_token", "expires_in", "issued_at"}` with a JWT the
/// registry verifies: ES256 (P-256, the raw `r||s` signature), header
/// `x5c` = the signing certificate (self-signed by `openssl`, which is the
/// registry's `rootcertbundle`), claims `iss`, `sub`, `aud` (the service),
/// `exp`, `nbf`, `iat`, `jti` and `access`, as the distribution token
/// specification describes.
///
/// Access: a user gets every `pull`/`push` action asked for; an anonymous
/// client the ``anonymousActions`` (none: it is refused with 401). A wrong
/// password is refused with 401. ``answer`` makes it misbehave.
public final class OCITokenServer: Sendable {
    /// What the service answers to a request it accepts.
    public enum Answer: Sendable {
        /// A token (the default).
        case token
        /// Only `access_token`, no `token`, and no `expires_in`.
        case accessTokenOnly
        /// HTTP 200 with a body that is not JSON.
        case garbage
        /// HTTP 200 with this many bytes of a JSON string.
        case oversized(Int)
    }

    public let service = "giter-test-registry"
    public let issuer = "giter-test-token-service"
    /// Holds the signing key and certificate.
    public let directory: TemporaryDirectory
    private let tokens: Issuer
    private let server: LoopbackHTTPServer

    /// A service that accepts `users` (name to password) and gives an
    /// anonymous client `anonymousActions` (of `pull`, `push`; none: refused).
    public init(users: [String: String], anonymousActions: Set<String> = []) throws {
        directory = try TemporaryDirectory(prefix: "giter-oci-token")
        let tokens = Issuer(
            service: service,
            issuer: issuer,
            users: users,
            anonymousActions: anonymousActions
        )
        self.tokens = tokens
        server = LoopbackHTTPServer { tokens.respond(to: $0) }
    }

    /// The certificate that signs the tokens (PEM): the registry's `rootcertbundle`.
    public var certificateFile: URL { directory.appending("token.pem") }

    /// `http://127.0.0.1:PORT/token`, the registry's `realm`.
    public var realm: String {
        get throws {
            guard let port = server.port else { throw FixtureError("the token service is not running: call start()") }
            return "http://127.0.0.1:\(port)/token"
        }
    }

    /// Every request the service received, in order.
    public var requests: [LoopbackHTTPServer.Request] { server.requests }

    /// How many tokens it issued.
    public var tokensIssued: Int { tokens.issued.withLock { $0 } }

    /// Changes what the service answers from now on.
    public func answer(_ answer: Answer) {
        tokens.mode.withLock { $0 = answer }
    }

    /// Makes the key and certificate with `openssl` and starts serving.
    public func start() async throws {
        let openssl = try ExecutableLocator.require("openssl", package: "openssl")
        let keyFile = directory.appending("token.key")
        try await ProcessRunner.runChecked(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                keyFile.path, "-out", certificateFile.path, "-days", "2", "-subj", "/CN=Giter test token service",
            ],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LC_ALL": "C"]
        )
        let key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOf: keyFile, encoding: .utf8))
        // The PEM body is the DER certificate in base64: x5c's form.
        let certificate = try String(contentsOf: certificateFile, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("-----") }.joined()
        tokens.signing.withLock { $0 = Issuer.Signing(key: key, certificate: certificate) }
        try server.start()
    }

    public func stop() async { await server.stop() }
}

/// The service's answers: checks the login, grants, signs.
private final class Issuer: Sendable {
    struct Signing: Sendable {
        var key: P256.Signing.PrivateKey
        var certificate: String
    }

    let service: String
    let issuer: String
    let users: [String: String]
    let anonymousActions: Set<String>
    let mode = Mutex(OCITokenServer.Answer.token)
    let signing = Mutex<Signing?>(nil)
    let issued = Mutex(0)

    init(service: String, issuer: String, users: [String: String], anonymousActions: Set<String>) {
        self.service = service
        self.issuer = issuer
        self.users = users
        self.anonymousActions = anonymousActions
    }

    func respond(to request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        guard request.method == "GET", request.path == "/token" else {
            return .json(#"{"error":"not found"}"#, status: 404)
        }
        let query = request.query
        guard query.first(where: { $0.name == "service" })?.value == service else {
            return .json(#"{"error":"unknown service"}"#, status: 400)
        }
        let subject: String?
        if let authorization = request.headers["authorization"] {
            guard authorization.hasPrefix("Basic "),
                let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).map({
                    String(decoding: $0, as: UTF8.self)
                }),
                let colon = decoded.firstIndex(of: ":"),
                users[String(decoded[..<colon])] == String(decoded[decoded.index(after: colon)...])
            else {
                return LoopbackHTTPServer.Response(
                    status: 401,
                    headers: ["WWW-Authenticate": #"Basic realm="giter-token""#, "Content-Type": "application/json"],
                    body: Array(#"{"details":"incorrect username or password"}"#.utf8)
                )
            }
            subject = String(decoded[..<colon])
        } else {
            guard !anonymousActions.isEmpty else {
                return LoopbackHTTPServer.Response(
                    status: 401,
                    headers: ["WWW-Authenticate": #"Basic realm="giter-token""#],
                    body: Array(#"{"details":"authentication required"}"#.utf8)
                )
            }
            subject = nil
        }
        switch mode.withLock({ $0 }) {
        case .garbage:
            return LoopbackHTTPServer.Response(
                status: 200,
                headers: ["Content-Type": "text/html"],
                body: Array("<html>no</html>".utf8)
            )
        case .oversized(let size):
            return .json("\"" + String(repeating: "x", count: size) + "\"")
        case .token, .accessTokenOnly:
            break
        }
        // Each scope: repository:NAME:ACTIONS; granted what the client may of what it asked.
        var access: [[String: Any]] = []
        for scope in query where scope.name == "scope" {
            for item in scope.value.split(separator: " ") {
                let parts = item.split(separator: ":")
                guard parts.count >= 3, parts[0] == "repository" else { continue }
                let name = parts[1..<(parts.count - 1)].joined(separator: ":")
                let asked = Set(parts[parts.count - 1].split(separator: ",").map(String.init))
                let allowed = subject == nil ? anonymousActions : ["pull", "push"]
                access.append(["type": "repository", "name": name, "actions": asked.intersection(allowed).sorted()])
            }
        }
        guard let token = sign(subject: subject ?? "", access: access) else { return .json("{}", status: 500) }
        issued.withLock { $0 += 1 }
        let answer: [String: Any] =
            if case .accessTokenOnly = mode.withLock({ $0 }) { ["access_token": token] } else {
                [
                    "token": token, "access_token": token, "expires_in": 300,
                    "issued_at": ISO8601DateFormatter().string(from: Date()),
                ]
            }
        return .json(Self.json(answer))
    }

    private func sign(subject: String, access: [[String: Any]]) -> String? {
        guard let signing = signing.withLock({ $0 }) else { return nil }
        let now = Int(Date().timeIntervalSince1970)
        let header: [String: Any] = ["typ": "JWT", "alg": "ES256", "x5c": [signing.certificate]]
        let claims: [String: Any] = [
            "iss": issuer, "sub": subject, "aud": service, "exp": now + 300, "nbf": now - 10, "iat": now,
            "jti": UUID().uuidString, "access": access,
        ]
        let input = Self.base64URL(Array(Self.json(header).utf8)) + "." + Self.base64URL(Array(Self.json(claims).utf8))
        guard let signature = try? signing.key.signature(for: Data(input.utf8)) else { return nil }
        return input + "." + Self.base64URL(Array(signature.rawRepresentation))
    }

    private static func json(_ object: Any) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/",
            with: "_"
        )
        .replacingOccurrences(of: "=", with: "")
    }
}
