import Foundation
import GitServerFixtures
import Giter
@testable import GiterOCI
import Testing

/// The pieces of the OCI mirror that need no exchange: references, the tar
/// layers (read back by the system's `tar`), manifests, and the client's
/// bounds against a real registry.
@Suite("OCI artifact")
struct OCIArtifactTests {
    @Test func references() throws {
        let full = try OCIReference(parsing: "127.0.0.1:5000/lab/exchange:v1.2")
        #expect(full.host == "127.0.0.1:5000" && full.repository == "lab/exchange" && full.tag == "v1.2")
        let bare = try OCIReference(parsing: "registry.example/lab__x/ex-change")
        #expect(bare.tag == "latest" && bare.repository == "lab__x/ex-change")
        #expect(OCIMirror.signatureTag(for: "sha256:" + String(repeating: "a", count: 64)) == "sha256-" + String(repeating: "a", count: 64) + ".sig")
        for bad in [
            "exchange", "registry.example/Lab/exchange", "registry.example/lab//exchange", "registry.example/lab/exchange:-x",
            "registry.example/lab/exchange@sha256:abc", "registry.example/lab/.x", "reg istry/lab", "registry.example/lab/x:" + String(repeating: "t", count: 129),
            "registry.example/lab/a...b", "a[b/lab/x", "a]b/lab/x", "[::1]x/lab/x", "reg:/lab/x", "reg:99999/lab/x",
        ] {
            #expect(throws: OCIError.self, "\(bad)") { try OCIReference(parsing: bad) }
        }
        #expect(try OCIReference(parsing: "[::1]:5000/lab/x").host == "[::1]:5000")
    }

    /// A host that makes no URL is an error before any request, not a crash.
    @Test func registryHostsThatMakeNoURL() async throws {
        for host in ["a[b", "a]b", "reg istry", ""] {
            let client = OCIRegistry(host: host, plainHTTP: true, timeout: .seconds(5))
            do {
                _ = try await client.manifest(in: "lab/x", reference: "latest")
                Issue.record("read from the host '\(host)'")
            } catch {
                #expect(error.code == .invalidReference && error.message.contains("is not a registry host"), "\(error)")
            }
        }
    }

    /// An upload location on another origin is refused, and only its
    /// origin printed: the rest may carry a pre-signed token.
    @Test func aForeignUploadLocationPrintsOnlyItsOrigin() async throws {
        let registry = LoopbackHTTPServer { request in
            switch request.method {
            case "HEAD":
                LoopbackHTTPServer.Response(status: 404)
            default:
                LoopbackHTTPServer.Response(
                    status: 202,
                    headers: [
                        "Location": "http://localhost:9/upload/1?X-Amz-Signature=s3cret-presigned&X-Amz-Credential=k"
                    ])
            }
        }
        try registry.start()
        let host = "127.0.0.1:\(try #require(registry.port))"
        let client = OCIRegistry(host: host, plainHTTP: true, timeout: .seconds(30))
        do {
            try await client.pushBlob([1, 2, 3], mediaType: "application/octet-stream", to: "lab/x")
            Issue.record("uploaded to another origin")
        } catch {
            #expect(
                error.code == .registry && error.message.hasSuffix("on another origin, http://localhost:9"), "\(error)")
            #expect(!error.message.contains("s3cret") && !error.message.contains("upload/1"), "\(error)")
        }
        #expect(registry.requests.map(\.method) == ["HEAD", "POST"])
        await registry.stop()
    }

    /// Long paths go into a pax record; `tar` lists and extracts every file as written.
    @Test func tarLayersReadByTar() async throws {
        let tar = try ExecutableLocator.require("tar", package: "tar")
        let folder = try TemporaryDirectory()
        let long = "resources/" + String(repeating: "n", count: 63) + "/Experiment/ab/" + String(repeating: "x", count: 120) + ".yaml"
        let files: [(String, [UInt8])] = [
            ("resources/default/Experiment/01/a.yaml", Array("spec: {}\n".utf8)),
            (long, Array(repeating: UInt8(ascii: "y"), count: 1500)),
            ("resources/default/Experiment/02/empty.yaml", []),
        ]
        var archive = TarArchive()
        for (path, contents) in files { archive.append(path: path, contents: contents) }
        let bytes = archive.finished()
        #expect(bytes.count % 512 == 0)
        let file = folder.url.appendingPathComponent("layer.tar")
        try Data(bytes).write(to: file)
        let listing = try await ProcessRunner.runChecked(tar, ["tf", file.path], environment: [:]).stdout
        #expect(listing.split(separator: "\n").map(String.init) == files.map(\.0))
        let out = folder.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try await ProcessRunner.runChecked(tar, ["xf", file.path, "-C", out.path], environment: [:])
        for (path, contents) in files {
            #expect(Array(try Data(contentsOf: out.appendingPathComponent(path))) == contents, "\(path)")
        }
        // The same files give the same bytes: a follower rebuilds a layer and compares digests.
        var again = TarArchive()
        for (path, contents) in files { again.append(path: path, contents: contents) }
        #expect(again.finished() == bytes)
    }

    @Test func manifestsAreReadStrictly() throws {
        let digest = "sha256:" + String(repeating: "0", count: 64)
        let manifest = OCIManifest(
            artifactType: ExchangeArtifact.artifactType,
            config: OCIDescriptor(mediaType: ExchangeArtifact.configMediaType, digest: digest, size: 2), layers: [])
        #expect(try OCIManifest(decoding: try manifest.encoded(), what: "m") == manifest)
        for (text, expected) in [
            ("not json", "is not an OCI image manifest"),
            (#"{"schemaVersion":1,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"\#(digest)","size":2},"layers":[]}"#, "schemaVersion 1"),
            (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"md5:00","size":2},"layers":[]}"#, "not by a sha256 digest"),
            (#"{"schemaVersion":2,"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"\#(digest)","size":2},"layers":[]}"#, "is not an OCI image manifest"),
        ] {
            do {
                _ = try OCIManifest(decoding: Array(text.utf8), what: "the manifest")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.message.contains(expected), "\(text): \(error.message)")
            }
        }
        let huge = [UInt8](repeating: 0x20, count: OCIRegistry.maximumManifestSize + 1)
        #expect(throws: OCIError(.tooLarge, "the manifest is larger than \(OCIRegistry.maximumManifestSize) bytes")) {
            try OCIManifest(decoding: huge, what: "the manifest")
        }
    }

    /// A login goes over HTTPS or to loopback only, and never prints its password.
    @Test func loginsStayOnSafeRoutes() async throws {
        let login = OCIRegistry.Login(username: "lab", password: "s3cret")
        #expect("\(login)" == "lab:<password>")
        #expect(OCIRegistry.isLoopback("127.0.0.1:5000") && OCIRegistry.isLoopback("localhost") && OCIRegistry.isLoopback("[::1]:5000"))
        #expect(!OCIRegistry.isLoopback("registry.example:5000") && !OCIRegistry.isLoopback("127.example"))
        let plain = OCIRegistry(host: "registry.example", plainHTTP: true, timeout: .seconds(5), login: login)
        do {
            _ = try await plain.manifest(in: "lab/exchange", reference: "latest")
            Issue.record("sent a password over plain HTTP")
        } catch {
            #expect(error.message.contains("refusing to send the registry password over plain HTTP"), "\(error)")
        }
    }

    /// The client reads no more than a descriptor says, and checks digests.
    @Test func registryReadsAreBounded() async throws {
        guard try TestRequirements.available(OCIRegistryServer.unavailableReason, for: "the OCI registry client") else { return }
        let server = try OCIRegistryServer()
        try await server.start()
        let client = OCIRegistry(host: try server.host, plainHTTP: true, timeout: .seconds(60))
        let bytes = [UInt8](repeating: 7, count: 10_000)
        let descriptor = try await client.pushBlob(bytes, mediaType: "application/octet-stream", to: "t/bounds")
        #expect(try await client.blob(in: "t/bounds", descriptor, maxBytes: 10_000) == bytes)
        var shorter = descriptor
        shorter.size = 100
        await #expect(throws: OCIError.self) { try await client.blob(in: "t/bounds", shorter, maxBytes: 10_000) }
        do {
            _ = try await client.blob(in: "t/bounds", shorter, maxBytes: 10_000)
        } catch {
            #expect(error.code == .tooLarge, "\(error)")
        }
        do {
            _ = try await client.blob(in: "t/bounds", descriptor, maxBytes: 9_999)
            Issue.record("read a blob larger than the limit")
        } catch {
            #expect(error.code == .tooLarge && error.message.contains("at most 9999"), "\(error)")
        }
        var wrong = descriptor
        wrong.digest = OCIDescriptor.digest(of: [1])
        wrong.size = 1
        do {
            _ = try await client.blob(in: "t/bounds", wrong, maxBytes: 10)
            Issue.record("read a blob the registry does not have")
        } catch {
            #expect(error.code == .registry && error.message.contains("HTTP 404"), "\(error)")
        }
        #expect(try await client.manifest(in: "t/bounds", reference: "none") == nil)
        await server.stop()
    }
}
