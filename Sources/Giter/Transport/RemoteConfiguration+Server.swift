extension RemoteConfiguration {
    /// Whether ``url`` names a server reached over the network: `git://`,
    /// `ssh://` (also `git+ssh://`, `ssh+git://`), `http://`, `https://`, or
    /// scp-like `[user@]host:path`. Every call that talks to such a remote
    /// costs a connection (a process on the server, an SSH handshake, an
    /// HTTP request), so that a fetch that finds nothing new costs what
    /// ``Transport/remoteTip()`` costs: the store then fetches at once
    /// instead of asking first, and writes on its view without asking (the
    /// push's compare-and-swap refuses a view that is behind). False for a
    /// path, `file://`, and any other scheme (an in-memory test remote).
    var reachesServer: Bool {
        for scheme in ["git://", "ssh://", "git+ssh://", "ssh+git://", "http://", "https://"]
        where url.lowercased().hasPrefix(scheme) {
            return true
        }
        // Git's scp-like syntax: no "://", a ':' before any '/', a host and a path.
        guard !url.contains("://"), let colon = url.firstIndex(of: ":") else { return false }
        if let slash = url.firstIndex(of: "/"), slash < colon { return false }
        return colon > url.startIndex && url.index(after: colon) < url.endIndex
    }
}
