internal import CLibGit2
import Giter

extension Repository {
    /// The last value of the setting `name` (`section.key`) in this
    /// repository's own configuration (libgit2 reads no system or global
    /// file here); nil when unset, "" for a bare key.
    func configurationValue(_ name: String) throws(TransportError) -> String? {
        var config: OpaquePointer?
        try LibGit2.check(git_repository_config_snapshot(&config, pointer), "read the configuration of \(path)")
        defer { git_config_free(config) }
        var entry: UnsafeMutablePointer<git_config_entry>?
        let found = try LibGit2.check(
            git_config_get_entry(&entry, config, name), "read \(name) in the configuration of \(path)",
            allowing: [.notFound])
        defer { git_config_entry_free(entry) }
        guard found == .ok, let entry else { return nil }
        return entry.pointee.value.map { String(cString: $0) } ?? ""
    }

    /// The full ref name `HEAD` points at (`refs/heads/main`), nil when
    /// `HEAD` is detached or missing.
    func headReference() throws(TransportError) -> String? {
        var head: OpaquePointer?
        let found = try LibGit2.check(
            git_reference_lookup(&head, pointer, "HEAD"), "read HEAD of \(path)", allowing: [.notFound])
        defer { git_reference_free(head) }
        guard found == .ok, let head, git_reference_type(head) == GIT_REFERENCE_SYMBOLIC,
            let target = git_reference_symbolic_target(head)
        else { return nil }
        return String(cString: target)
    }
}
