/// The part of a remote repository's configuration the receive rules read
/// (``ReceivePolicy``), as one value: every setting under `core.`,
/// `receive.`, `transfer.`, `gc.`, `maintenance.`, `include.` and
/// `includeIf.`, by lower-cased name (the last value wins; nil for a bare
/// key, which Git reads as true).
///
/// Each backend reads the repository's own configuration file the way it
/// reads Git's files (libgit2's parser, or `git config --file … --list`)
/// and hands the entries over; the rules about them live here.
package struct ReceiveSettings: Equatable, Sendable {
    /// The sections that matter, lower-cased, each with its trailing dot.
    package static let sections = ["core.", "receive.", "transfer.", "gc.", "maintenance.", "include.", "includeif."]

    /// Lower-cased name → last value (nil for a bare key).
    package let values: [String: String?]

    /// The settings among `entries` (in file order, names as Git prints
    /// them); entries of other sections are ignored.
    package init(entries: some Sequence<(name: String, value: String?)>) {
        var values: [String: String?] = [:]
        for (name, value) in entries {
            let key = name.lowercased()
            guard Self.sections.contains(where: { key.hasPrefix($0) }) else { continue }
            values[key] = .some(value)
        }
        self.values = values
    }

    /// Whether the configuration includes other files (`include.*`,
    /// `includeIf.*`): what they set is not in this value, and their
    /// changes do not show in the configuration file's stamp.
    package var includesFiles: Bool {
        values.keys.contains { $0.hasPrefix("include.") || $0.hasPrefix("includeif.") }
    }

    /// Whether `core.bare` says false: the repository belongs to a working
    /// tree. An unreadable value counts as a working tree (fail closed).
    package var hasWorkingTree: Bool {
        guard let value = values["core.bare"] else { return false }
        return GitConfigValue.boolean(value) != true
    }

    /// Whether these settings may be kept while the configuration file's
    /// stamp is unchanged (``RepositoryStamp``): not when other files are
    /// included, since their changes would go unseen.
    package var mayBeKept: Bool { !includesFiles }
}
