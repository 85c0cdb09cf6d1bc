extension LocalRepository {
    /// Where Git looks for the repository's hooks, or why it cannot be said.
    package enum HooksFolder: Equatable, Sendable {
        /// The folder (no trailing slash).
        case folder(String)
        /// `core.hooksPath` is set to something this rule does not follow;
        /// the text says what.
        case unusable(String)
    }

    /// The hooks folder: `core.hooksPath` when set (absolute, or relative
    /// to the repository's folder, where a bare repository's hooks run),
    /// else `hooks/`. `configured` is the setting's value: nil when unset,
    /// `.some(nil)` for a bare key. A value starting with `~` is not
    /// followed (Git would expand it with the hook runner's home).
    package func hooksFolder(configured: String??) -> HooksFolder {
        guard case .some(let value) = configured else { return .folder(folder + "hooks") }
        guard let value, !value.isEmpty else { return .unusable("core.hooksPath has no value") }
        guard !value.hasPrefix("~") else { return .unusable("core.hooksPath starts with ~") }
        var path = value.hasPrefix("/") ? value : folder + value
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return .folder(path)
    }
}
