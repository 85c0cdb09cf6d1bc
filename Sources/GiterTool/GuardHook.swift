import Foundation

/// The `pre-receive` hook `giter guard install` writes, and how a hook it
/// wrote is recognised.
enum GuardHook {
    /// The line that marks a hook as written by `giter guard install`: only
    /// such a hook is replaced without `--force`.
    static let marker = "# giter-guard-hook: written by 'giter guard install'; it replaces this file."

    /// The script: runs `executable guard pre-receive --backend backend`,
    /// which reads git's standard input.
    static func script(executable: String, backend: Backend) -> String {
        """
        #!/bin/sh
        \(marker)
        # Refuses every push that breaks the exchange's contract; see 'giter guard --help'.
        exec \(shellQuoted(executable)) guard pre-receive --backend \(backend.rawValue)

        """
    }

    /// Whether `contents` is a hook `giter guard install` wrote.
    static func isOwn(_ contents: Data) -> Bool {
        String(decoding: contents, as: UTF8.self).split(separator: "\n").contains { $0 == marker }
    }

    /// `text` in single quotes for `sh`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The absolute path of the running `giter`.
    static func currentExecutable() throws -> String {
        guard let path = Bundle.main.executablePath, path.hasPrefix("/") else {
            throw ToolError("cannot tell where this giter executable is; run it by its absolute path")
        }
        return path
    }
}
