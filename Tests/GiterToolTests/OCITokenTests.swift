import Foundation
import GitServerFixtures
import Synchronization
import Testing

@testable import GiterOCI

/// The token login of `OCIRegistry`: `WWW-Authenticate` parsing, the
/// realm's rules, the token answer and cache, and the flow against a real
/// registry (Debian's `docker-registry` with `auth: token`) and a token
/// service on loopback, and against fakes that redirect and lie.
@Suite("OCI token login")
struct OCITokenTests {
    typealias Login = OCIRegistry.Login

    // MARK: WWW-Authenticate

    @Test func challengesAreReadStrictly() throws {
        let bearer = try AuthenticationChallenge.parse(
            #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:lab/x:pull,push""#
        )
        #expect(
            bearer == [
                AuthenticationChallenge(
                    scheme: "bearer",
                    parameters: [
                        "realm": "https://auth.example/token", "service": "registry.example",
                        "scope": "repository:lab/x:pull,push",
                    ]
                )
            ]
        )
        let two = try AuthenticationChallenge.parse(
            #"Basic realm="a \"quoted\" \\ realm", BEARER Realm = "https://b.example/t" , error=insufficient_scope"#
        )
        #expect(
            two == [
                AuthenticationChallenge(scheme: "basic", parameters: ["realm": #"a "quoted" \ realm"#]),
                AuthenticationChallenge(
                    scheme: "bearer",
                    parameters: ["realm": "https://b.example/t", "error": "insufficient_scope"]
                ),
            ]
        )
        #expect(
            try AuthenticationChallenge.parse("Negotiate YII=, Basic realm=x") == [
                AuthenticationChallenge(scheme: "negotiate", parameters: [:], token68: "YII="),
                AuthenticationChallenge(scheme: "basic", parameters: ["realm": "x"]),
            ]
        )
        #expect(
            try AuthenticationChallenge.parse(" , Basic,, Bearer realm=x,") == [
                AuthenticationChallenge(scheme: "basic", parameters: [:]),
                AuthenticationChallenge(scheme: "bearer", parameters: ["realm": "x"]),
            ]
        )
        let many = (0..<40).map { "p\($0)=v" }.joined(separator: ",")
        for bad in [
            "", "  ", #"Bearer realm="unterminated"#, "Bearer realm=\"a\u{1}b\"", "Bearer realm=x realm=y",
            "Bearer realm=x,realm=y", "Bearer =x", #""quoted""#,
            "Bearer realm=\"" + String(repeating: "x", count: 9000) + "\"",
            "Bearer " + many, Array(repeating: "Basic", count: 20).joined(separator: ", "), "Bearer realm=\"x\\",
        ] {
            do {
                let parsed = try AuthenticationChallenge.parse(bad)
                Issue.record("accepted \(bad.prefix(60)): \(parsed)")
            } catch {
                #expect(error.code == .malformed, "\(error)")
                #expect(error.message.hasPrefix("the registry sent a malformed WWW-Authenticate header ("), "\(error)")
                #expect(error.message.count < 400, "bounded: \(error.message.count)")
            }
        }
    }

    // MARK: The realm

    @Test func realmsOnlyOnSafeRoutes() throws {
        func endpoint(_ realm: String?, _ registry: OCIRegistry) throws(OCIError) -> TokenEndpoint {
            let parameters =
                realm.map { ["realm": $0, "service": "registry.example"] } ?? ["service": "registry.example"]
            return try TokenEndpoint(AuthenticationChallenge(scheme: "bearer", parameters: parameters), of: registry)
        }
        let remote = OCIRegistry(host: "registry.example")
        let loopback = OCIRegistry(host: "127.0.0.1:5000", plainHTTP: true)
        let loopbackHTTPS = OCIRegistry(host: "127.0.0.1:5000")
        for (realm, registry) in [
            ("https://auth.example/token", remote), ("https://auth.example/token", loopback),
            ("http://127.0.0.1:9/token", loopback), ("http://localhost:9/token", loopback),
        ] {
            #expect(try endpoint(realm, registry).realm.absoluteString == realm)
        }
        for (realm, registry, expected) in [
            ("http://auth.example/token", remote, "plain HTTP"), ("http://auth.example/token", loopback, "plain HTTP"),
            ("http://127.0.0.1:9/token", loopbackHTTPS, "plain HTTP"),
            ("https://lab:pw@auth.example/token", remote, "user name or password"),
            ("https://lab@auth.example/token", remote, "user name or password"),
            ("ftp://auth.example/token", remote, "is not an https URL"), ("not a url", remote, "is not a URL"),
            ("https:///token", remote, "is not a URL"), (nil, remote, "has no realm"),
        ] as [(String?, OCIRegistry, String)] {
            do {
                _ = try endpoint(realm, registry)
                Issue.record("accepted the realm \(realm ?? "nil") for \(registry.host)")
            } catch {
                #expect(
                    error.code == .authentication && error.message.contains(expected),
                    "\(realm ?? "nil"): \(error)"
                )
                #expect(!error.message.contains("pw@"), "\(error)")
            }
        }
        let withQuery = try endpoint("https://auth.example/token?client=giter", remote)
        #expect(
            withQuery.url(scopes: ["repository:lab/x:pull,push"]).absoluteString
                == "https://auth.example/token?client=giter&service=registry.example"
                + "&scope=repository%3Alab%2Fx%3Apull%2Cpush")
        #expect(RepositoryAccess.push("lab/x").covers("repository:lab/x:push,pull"))
        #expect(!RepositoryAccess.pull("lab/x").covers("repository:lab/x:pull,push"))
        #expect(!RepositoryAccess.push("lab/x").covers("repository:lab/y:pull"))
    }

    // MARK: Answers, lifetimes, secrets

    @Test func tokenAnswersAndTheirLifetimes() throws {
        let now = ContinuousClock.now
        let full = try RegistryToken(
            answer: Array(#"{"token":"abc.def","expires_in":300}"#.utf8),
            receivedAt: now,
            from: "t"
        )
        #expect(full.value == "abc.def" && full.usableUntil == now + .seconds(270))
        let oauth = try RegistryToken(
            answer: Array(#"{"access_token":"xyz","refresh_token":"r","scope":"s"}"#.utf8),
            receivedAt: now,
            from: "t"
        )
        #expect(oauth.value == "xyz" && oauth.usableUntil == now + .seconds(54), "60 s when expires_in is missing")
        let zero = try RegistryToken(answer: Array(#"{"token":"z","expires_in":0}"#.utf8), receivedAt: now, from: "t")
        #expect(zero.usableUntil == now + .seconds(54))
        for (answer, expected) in [
            ("<html>secret-looking</html>", "are not a token"),
            (#"{"token":"a b"}"#, "characters a header cannot carry"),
            (#"{"token":""}"#, "without a token"), (#"{"expires_in":10}"#, "without a token"),
            (#"{"token":"a\nb"}"#, "characters a header cannot carry"), ("", "are not a token"),
        ] {
            do {
                _ = try RegistryToken(answer: Array(answer.utf8), receivedAt: now, from: "http://127.0.0.1:1")
                Issue.record("accepted \(answer)")
            } catch {
                #expect(error.code == .malformed && error.message.contains(expected), "\(answer): \(error)")
                #expect(!error.message.contains("secret-looking"), "the answer is never printed: \(error)")
            }
        }

        let cache = TokenCache()
        let key = TokenCache.Key(origin: "http://127.0.0.1:1", scope: "repository:x:pull", login: nil)
        cache.store(full, for: key, at: now)
        #expect(cache.token(for: key, at: now + .seconds(269))?.value == "abc.def")
        #expect(cache.token(for: key, at: now + .seconds(270)) == nil, "expired a tenth of its life early")
        #expect(cache.token(for: key, at: now) == nil, "and forgotten")
        let other = TokenCache.Key(origin: key.origin, scope: key.scope, login: Login(username: "lab", password: "pw"))
        cache.store(full, for: key, at: now)
        #expect(cache.token(for: other, at: now) == nil, "per login")
        cache.forget(key)
        #expect(cache.token(for: key, at: now) == nil)
    }

    @Test func secretsNeverPrint() async throws {
        let login = Login(username: "lab", password: "s3cret-value")
        let registry = OCIRegistry(host: "registry.example", login: login)
        let token = RegistryToken(value: "eyJ-token-value", usableUntil: .now + .seconds(60))
        registry.tokens.store(
            token,
            for: registry.tokenKey(.pull("lab/x")),
            at: .now
        )
        var dumped = ""
        dump(registry, to: &dumped)
        dump(login, to: &dumped)
        dump(token, to: &dumped)
        let printed = [
            dumped, "\(registry)", String(reflecting: registry), "\(login)", String(reflecting: login), "\(token)",
            String(reflecting: token), "\(OCIRegistry.Credential.bearer(token, fresh: true))",
        ]
        for text in printed {
            #expect(!text.contains("s3cret-value") && !text.contains("eyJ-token-value"), "\(text)")
        }
        #expect(dumped.contains("lab"), "the user name shows: \(dumped)")
    }

    // MARK: Against a registry

    /// A token service and a registry that requires its tokens.
    struct TokenRegistry {
        let tokens: OCITokenServer
        let registry: OCIRegistryServer

        /// `nil` when `docker-registry` is missing locally (skipped, with a message).
        static func make(users: [String: String], anonymous: Set<String>) async throws -> TokenRegistry? {
            guard try TestRequirements.available(OCIRegistryServer.unavailableReason, for: "the OCI token login"),
                try TestRequirements.available(TestCertificateAuthority.unavailableReason, for: "the OCI token login")
            else { return nil }
            let tokens = try OCITokenServer(users: users, anonymousActions: anonymous)
            try await tokens.start()
            let registry = try OCIRegistryServer(tokenServer: tokens)
            do {
                try await registry.start()
            } catch {
                await tokens.stop()
                throw error
            }
            return TokenRegistry(tokens: tokens, registry: registry)
        }

        func client(_ login: Login? = nil) throws -> OCIRegistry {
            OCIRegistry(host: try registry.host, plainHTTP: true, timeout: .seconds(60), login: login)
        }

        func stop() async {
            await registry.stop()
            await tokens.stop()
        }
    }

    @Test func tokensThroughARealRegistry() async throws {
        guard let served = try await TokenRegistry.make(users: ["lab": "s3cret-token"], anonymous: ["pull"]) else {
            return
        }
        let tokens = served.tokens
        let writer = try served.client(Login(username: "lab", password: "s3cret-token"))
        let bytes = Array("the exchange\n".utf8)
        let descriptor = try await writer.pushBlob(bytes, mediaType: "application/octet-stream", to: "lab/tokens")
        let manifest = OCIManifest(artifactType: "application/vnd.giter.test", config: descriptor, layers: [])
        try await writer.pushManifest(try manifest.encoded(), to: "lab/tokens", reference: "v1")
        #expect(try await writer.blob(in: "lab/tokens", descriptor, maxBytes: 1 << 10) == bytes)
        #expect(try await writer.manifest(in: "lab/tokens", reference: "v1") != nil)
        #expect(tokens.tokensIssued == 1, "one pull,push token serves the upload, the manifest and the reads")
        let asked = try #require(tokens.requests.first)
        #expect(asked.headers["authorization"] == "Basic " + Data("lab:s3cret-token".utf8).base64EncodedString())
        #expect(asked.query.filter { $0.name == "scope" }.map(\.value) == ["repository:lab/tokens:pull,push"])
        #expect(asked.query.first { $0.name == "service" }?.value == tokens.service)

        // Anonymous: a pull-only token reads; pushing is refused after one fresh token, not in a loop.
        let reader = try served.client()
        #expect(try await reader.blob(in: "lab/tokens", descriptor, maxBytes: 1 << 10) == bytes)
        #expect(tokens.requests.count == 2 && tokens.requests[1].headers["authorization"] == nil)
        do {
            try await reader.pushBlob([1, 2, 3], mediaType: "application/octet-stream", to: "lab/tokens")
            Issue.record("an anonymous client pushed")
        } catch {
            #expect(error.code == .authentication, "\(error)")
            #expect(error.message.contains("insufficient_scope"), "\(error)")
            #expect(error.message.contains("check that an anonymous client may push to lab/tokens"), "\(error)")
        }
        // One token for the HEAD (pull granted), one fresh one after the POST's 401: no loop.
        #expect(tokens.requests.count == 4, "at most one token per request: \(tokens.requests.count)")

        // A wrong password: the token service refuses it, and says which user.
        let wrong = try served.client(Login(username: "lab", password: "wrong-pass-123"))
        do {
            _ = try await wrong.manifest(in: "lab/tokens", reference: "v1")
            Issue.record("read with a wrong password")
        } catch {
            #expect(
                error.code == .authentication && error.message.contains("refused the login 'lab' (HTTP 401)"),
                "\(error)"
            )
            #expect(!error.message.contains("wrong-pass-123"), "\(error)")
        }

        // A token service that answers garbage, too much, or only access_token.
        tokens.answer(.garbage)
        let garbage = try served.client()
        do {
            _ = try await garbage.manifest(in: "lab/tokens", reference: "v1")
            Issue.record("read with a garbage token answer")
        } catch {
            #expect(error.code == .malformed && error.message.contains("are not a token"), "\(error)")
        }
        tokens.answer(.oversized(100_000))
        let oversized = try served.client()
        do {
            _ = try await oversized.manifest(in: "lab/tokens", reference: "v1")
            Issue.record("read an oversized token answer")
        } catch {
            #expect(error.code == .tooLarge && error.message.contains("larger than 65536 bytes"), "\(error)")
        }
        tokens.answer(.accessTokenOnly)
        #expect(try await served.client().manifest(in: "lab/tokens", reference: "v1") != nil)
        // The token service was sent the login or nothing, never a token.
        #expect(tokens.requests.allSatisfy { !($0.headers["authorization"] ?? "").hasPrefix("Bearer") })
        await served.stop()
    }

    /// A fake registry that wants tokens and redirects reads to a blob
    /// store on another origin: the store gets no `Authorization`, the
    /// token service only the login; a realm with a user name, or plain
    /// HTTP off loopback, is refused before anything is sent to it.
    @Test func authorizationStaysWithItsHost() async throws {
        guard try TestRequirements.available(TestCertificateAuthority.unavailableReason, for: "the OCI token login")
        else {
            return
        }
        let tokens = try OCITokenServer(users: ["lab": "pw-for-the-token-service"])
        try await tokens.start()
        let realm = try tokens.realm
        let bytes = Array("a blob in another store\n".utf8)
        let store = LoopbackHTTPServer { _ in LoopbackHTTPServer.Response(status: 200, body: bytes) }
        try store.start()
        let storePort = try #require(store.port)
        let challenge = Mutex(#"Bearer realm="\#(realm)",service="giter-test-registry",scope="repository:lab/x:pull""#)
        let registry = LoopbackHTTPServer { request in
            guard request.headers["authorization"]?.hasPrefix("Bearer ey") == true else {
                return LoopbackHTTPServer.Response(
                    status: 401,
                    headers: ["WWW-Authenticate": challenge.withLock { $0 }]
                )
            }
            return LoopbackHTTPServer.Response(status: 307, headers: ["Location": "http://localhost:\(storePort)/blob"])
        }
        try registry.start()
        let host = "127.0.0.1:\(try #require(registry.port))"
        let login = Login(username: "lab", password: "pw-for-the-token-service")
        let client = OCIRegistry(host: host, plainHTTP: true, timeout: .seconds(60), login: login)
        let descriptor = OCIDescriptor(mediaType: "application/octet-stream", bytes: bytes)
        #expect(try await client.blob(in: "lab/x", descriptor, maxBytes: 1 << 10) == bytes)
        #expect(
            store.requests.count == 1 && store.requests.allSatisfy { $0.headers["authorization"] == nil },
            "\(store.requests.map(\.headers))"
        )
        #expect(
            registry.requests.map { String(($0.headers["authorization"] ?? "none").prefix(9)) } == [
                "Basic bGF", "Bearer ey",
            ]
        )
        #expect(tokens.requests.count == 1 && tokens.requests[0].headers["authorization"]?.hasPrefix("Basic ") == true)

        // Each refused realm is a recording server that would answer: it must be sent nothing.
        // (0.0.0.0 reaches this machine, but is not a loopback name, so plain HTTP to it is refused.)
        let recorder = LoopbackHTTPServer { _ in .json(#"{"token":"from-a-refused-realm"}"#) }
        try recorder.start()
        let recorderPort = try #require(recorder.port)
        for (realm, expected) in [
            ("http://lab:pw@127.0.0.1:\(recorderPort)/token", "user name or password"),
            ("http://0.0.0.0:\(recorderPort)/token", "plain HTTP"),
        ] {
            challenge.withLock { $0 = #"Bearer realm="\#(realm)",service="s""# }
            do {
                _ = try await OCIRegistry(host: host, plainHTTP: true, timeout: .seconds(60), login: login)
                    .blob(in: "lab/x", descriptor, maxBytes: 1 << 10)
                Issue.record("used the realm \(realm)")
            } catch {
                #expect(error.code == .authentication && error.message.contains(expected), "\(error)")
            }
            #expect(recorder.requests.isEmpty, "nothing was sent to the realm \(realm)")
        }
        await recorder.stop()
        await registry.stop()
        await store.stop()
        await tokens.stop()
    }

    /// A registry redirects a read to a blob store (a CDN) that answers
    /// 401 with a `Bearer` challenge of its own: that is not the
    /// registry's challenge, so the realm it names is sent nothing — no
    /// login, no token request — and the read is an authentication error
    /// that names the store's origin.
    @Test func aChallengeFromARedirectTargetIsNotTheRegistrys() async throws {
        let realm = LoopbackHTTPServer { _ in .json(#"{"token":"a-token-for-the-store"}"#) }
        try realm.start()
        let realmPort = try #require(realm.port)
        let store = LoopbackHTTPServer { _ in
            LoopbackHTTPServer.Response(
                status: 401,
                headers: ["WWW-Authenticate": #"Bearer realm="http://127.0.0.1:\#(realmPort)/token",service="cdn""#])
        }
        try store.start()
        let storePort = try #require(store.port)
        let registry = LoopbackHTTPServer { _ in
            LoopbackHTTPServer.Response(status: 307, headers: ["Location": "http://localhost:\(storePort)/blob"])
        }
        try registry.start()
        let host = "127.0.0.1:\(try #require(registry.port))"
        let login = Login(username: "lab", password: "pw-for-the-registry-only")
        let client = OCIRegistry(host: host, plainHTTP: true, timeout: .seconds(60), login: login)
        let descriptor = OCIDescriptor(mediaType: "application/octet-stream", bytes: Array("x".utf8))
        do {
            _ = try await client.blob(in: "lab/x", descriptor, maxBytes: 1 << 10)
            Issue.record("read a blob the store refused")
        } catch {
            #expect(error.code == .authentication, "\(error)")
            #expect(error.message.contains("http://localhost:\(storePort) refused access (HTTP 401)"), "\(error)")
            #expect(!error.message.contains("pw-for-the-registry-only"), "\(error)")
        }
        #expect(realm.requests.isEmpty, "the store's realm was sent nothing: \(realm.requests.map(\.target))")
        #expect(store.requests.count == 1 && store.requests[0].headers["authorization"] == nil)
        #expect(registry.requests.count == 1, "one request: the registry asked for no token")
        await registry.stop()
        await store.stop()
        await realm.stop()
    }
}
