/// The user name that goes with an access token over HTTPS when none is
/// given: each forge expects its own.
///
/// | host | user name |
/// |---|---|
/// | `github.com`, `*.github.com`, `*.ghe.com` | `x-access-token` |
/// | `gitlab.com`, `gitlab.*` | `oauth2` |
/// | `bitbucket.org` | `x-token-auth` |
/// | any other host | `x-access-token` |
///
/// GitHub, GitLab (personal and OAuth tokens), Gitea and Forgejo accept
/// these with a token as the password; GitHub app installation tokens and
/// Bitbucket access tokens need exactly them. A forge that wants the
/// account's own name is given it explicitly (`GITER_USERNAME`,
/// ``Credentials/token(_:user:)``). See `Documentation/Backends.md`.
public enum TokenUser {
    /// The user name for a token at the host of `url` (an `http(s)://` URL;
    /// anything else gets the default).
    public static func name(forURL url: String) -> String {
        let host = self.host(ofURL: url)
        if host == "github.com" || host.hasSuffix(".github.com") || host.hasSuffix(".ghe.com") { return "x-access-token" }
        if host == "gitlab.com" || host.hasPrefix("gitlab.") { return "oauth2" }
        if host == "bitbucket.org" { return "x-token-auth" }
        return defaultName
    }

    /// The user name for a host the table does not name.
    public static let defaultName = "x-access-token"

    /// The lowercased host of `scheme://[user@]host[:port]/…`, or "".
    static func host(ofURL url: String) -> String {
        RemoteURLAuthority.host(of: url).lowercased()
    }
}
