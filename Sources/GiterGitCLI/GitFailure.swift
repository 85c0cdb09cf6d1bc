import Giter

/// Turns what a failed git process printed into a `TransportError` with
/// the right code, keeping git's own words in the message.
enum GitFailure {
    static func error(for result: GitResult, command: String, remote: String?) -> TransportError {
        let text = result.errorText
        let status = result.exitCode.map { "exit \($0)" } ?? "killed by a signal"
        let message = text.isEmpty ? "git \(command) failed (\(status))" : "git \(command) failed: \(text)"
        return TransportError(code(for: text), message, remote: remote)
    }

    /// The error code git's standard error points at.
    static func code(for text: String) -> TransportError.Code {
        let lower = text.lowercased()
        func has(_ needle: String) -> Bool { lower.contains(needle) }
        if has("remote host identification has changed") || has("host key for") && has("has changed") {
            return .changedHostKey
        }
        if has("host key verification failed") || has("no ") && has("host key is known") {
            return .unknownHostKey
        }
        if has("authentication failed") || has("http 401") || has("permission denied (publickey")
            || has("could not read username") || has("could not read password") || has("http basic: access denied")
        {
            return .authenticationFailed
        }
        if has("connection refused") || has("could not resolve host") || has("unable to connect")
            || has("connection timed out") || has("network is unreachable") || has("no route to host")
            || has("failed to connect") || has("connection reset")
        {
            return .unreachable
        }
        if has("does not appear to be a git repository") || has("repository") && has("not found")
            || has("not a git repository") || has("no such repository") || has("http 404")
            || has("access denied") || has("not exported")
        {
            return .repositoryNotFound
        }
        if has("couldn't find remote ref") {
            return .branchNotFound
        }
        if has("not a valid object name") || has("bad object") || has("invalid object") || has("not a tree object")
            || has("unknown revision") || has("bad revision") || has("not a valid commit")
        {
            return .objectNotFound
        }
        return .backend
    }
}
