import Giter
import Testing

/// The user name a token alone goes with, per forge (Documentation/Backends.md, "Credentials").
@Suite("Token user names")
struct TokenUserTests {
    @Test(arguments: [
        ("https://github.com/lab/exchange.git", "x-access-token"),
        ("https://api.github.com/x", "x-access-token"),
        ("https://acme.ghe.com/lab/exchange.git", "x-access-token"),
        ("https://GitLab.com/lab/exchange.git", "oauth2"),
        ("https://gitlab.example.org:8443/lab/exchange.git", "oauth2"),
        ("https://bitbucket.org/lab/exchange.git", "x-token-auth"),
        ("https://someone@bitbucket.org/lab/exchange.git", "x-token-auth"),
        ("https://git.example.com/lab/exchange.git", TokenUser.defaultName),
        ("https://[::1]:8080/git/x.git", TokenUser.defaultName),
        ("not a url", TokenUser.defaultName),
    ])
    func theForgesUserName(url: String, expected: String) {
        #expect(TokenUser.name(forURL: url) == expected)
    }

    @Test func aGivenUserNameWins() async throws {
        let provider = Credentials.token("secret", user: "ada")
        #expect(try await provider("https://github.com/x.git") == .init(user: "ada", password: "secret"))
        let alone = Credentials.token("secret")
        #expect(try await alone("https://gitlab.com/x.git") == .init(user: "oauth2", password: "secret"))
    }
}
