internal import CLibGit2
import Giter
import GiterLocalGit

extension Repository {
    /// The settings ``ReceivePolicy`` reads, from this repository's
    /// configuration as it is on disk now, parsed by libgit2 (which reads no
    /// system or global file here).
    func receiveSettings() throws(TransportError) -> ReceiveSettings {
        var config: OpaquePointer?
        try LibGit2.check(git_repository_config_snapshot(&config, pointer), "read the remote's configuration")
        defer { git_config_free(config) }
        var iterator: OpaquePointer?
        try LibGit2.check(
            git_config_iterator_glob_new(&iterator, config, "^(receive|transfer|core|gc|maintenance|include|includeif)\\."),
            "read the remote's configuration")
        defer { git_config_iterator_free(iterator) }
        var entries: [(name: String, value: String?)] = []
        var entry: UnsafeMutablePointer<git_config_entry>?
        while git_config_next(&entry, iterator) == 0, let current = entry {
            guard let name = current.pointee.name else { continue }
            entries.append((String(cString: name), current.pointee.value.map { String(cString: $0) }))
        }
        return ReceiveSettings(entries: entries)
    }
}
