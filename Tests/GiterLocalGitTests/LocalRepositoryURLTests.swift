import Giter
import GiterLocalGit
import Testing

@Suite("Local repository URLs")
struct LocalRepositoryURLTests {
    @Test(arguments: [
        ("/srv/exchange.git", "/srv/exchange.git"),
        ("file:///srv/exchange.git", "/srv/exchange.git"),
        ("file://localhost/srv/exchange.git", "/srv/exchange.git"),
        ("file:///srv/with%20space%2Egit", "/srv/with space.git"),
        ("file:///srv/bad%zz%4", "/srv/bad%zz%4"),
        ("file:///srv/nul%00", "/srv/nul%00"),
        ("/srv/a://b", "/srv/a://b"),
    ])
    func absolutePathsAreDirectRepositories(url: String, path: String) throws {
        let parsed = try #require(LocalRepositoryURL(url))
        #expect(parsed.path == path)
        #expect(parsed.isAbsolute)
        #expect(parsed.directRepository == LocalRepository(folder: path))
        #expect(parsed.directRepository?.folder == path + "/")
        #expect(LocalRepositoryURL.isLocal(url))
    }

    @Test(arguments: ["./exchange.git", "../exchange.git", "exchange.git", "folder/x:y"])
    func relativePathsAreLocalButNeverDirect(url: String) throws {
        let parsed = try #require(LocalRepositoryURL(url))
        #expect(parsed.path == url)
        #expect(!parsed.isAbsolute)
        #expect(parsed.directRepository == nil, "a relative path never takes a direct route")
        #expect(LocalRepositoryURL.isLocal(url))
    }

    @Test(arguments: ["ssh://git@host/x.git", "https://host/x.git", "git@host:x.git", "host:x", "git://host/x", ""])
    func networkURLsAreNotLocal(url: String) {
        #expect(LocalRepositoryURL(url) == nil)
        #expect(!LocalRepositoryURL.isLocal(url))
    }

    /// Git drops the host of `file://server/path`; the backends refuse such a URL instead of guessing.
    @Test(arguments: ["file://server/srv/x.git", "file://srv/x.git", "file://"])
    func fileURLsWithAHostNameNoPath(url: String) {
        #expect(LocalRepositoryURL(url) == nil)
        #expect(LocalRepositoryURL.isLocal(url), "still local: never handed to a network transport")
        #expect(throws: TransportError.self) { try LocalRepositoryURL.check(url) }
    }

    @Test(arguments: ["/srv/x.git", "file:///srv/x.git", "x.git", "ssh://host/x.git", "host:x.git"])
    func otherURLsPassTheCheck(url: String) throws {
        try LocalRepositoryURL.check(url)
    }
}
