import Giter

/// The proxy the conventional environment variables name for a URL, as
/// curl (and so git) reads them: `https_proxy` (or `HTTPS_PROXY`) for
/// `https://`, `http_proxy` for `http://`, else `all_proxy` (`ALL_PROXY`);
/// none when `no_proxy` (`NO_PROXY`) lists the host (`*` for every host; a
/// name matches itself and its subdomains; a leading dot is ignored).
///
/// Used by the libgit2 backend when `Credentials.gitConfiguration` asks for
/// the user's settings; the git backend passes the variables to git instead.
enum ProxyVariables {
    static func proxy(for url: String, in environment: [String: String]) -> String? {
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https"
        } else if lowered.hasPrefix("http://") {
            scheme = "http"
        } else {
            return nil
        }
        func value(_ name: String) -> String? {
            let found = environment[name] ?? (name == "http_proxy" ? nil : environment[name.uppercased()])
            return found.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let proxy = value("\(scheme)_proxy") ?? value("all_proxy") else { return nil }
        let host = RemoteURLAuthority.host(of: lowered)
        let exceptions = (value("no_proxy") ?? "").split(separator: ",").map { part in
            var name = part.drop { $0 == " " }
            while name.last == " " { name.removeLast() }
            return String(name.drop { $0 == "." }).lowercased()
        }
        for exception in exceptions where !exception.isEmpty {
            if exception == "*" || host == exception || host.hasSuffix("." + exception) { return nil }
        }
        return proxy
    }

}
