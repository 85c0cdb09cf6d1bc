/// The authority of a remote URL, `scheme://[user@]authority/…`: what
/// follows `://` up to the first `/`, `?` or `#`, after any `user@`. One
/// reading for every place that needs a remote's host: the user name a
/// token goes with (``TokenUser``), the proxy exceptions of libgit2's
/// backend, and what git names a credential helper's `host`.
package enum RemoteURLAuthority {
    /// The scheme and the authority (host, and port when the URL names
    /// one) of `url`; nil without `://`.
    package static func parts(of url: String) -> (scheme: Substring, authority: Substring)? {
        guard let separator = url.firstRange(of: "://") else { return nil }
        var authority = url[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return (url[..<separator.lowerBound], authority)
    }

    /// The host of `url` without its port (and without the brackets of an
    /// IPv6 address), as written; "" without `://`.
    package static func host(of url: String) -> String {
        guard let authority = parts(of: url)?.authority else { return "" }
        if authority.hasPrefix("[") { return String(authority.prefix { $0 != "]" }.dropFirst()) }
        return String(authority.prefix { $0 != ":" })
    }
}
