/// Rules for paths read from or written to an exchange repository.
///
/// A path is a `/`-separated list of non-empty components, none of which is
/// `.` or `..`, a spelling of `.git` that some file system would take for the
/// repository's own folder (`.GIT`, `.git.`, `.git ` and the like, `git~1`),
/// or holds a backslash, a NUL or a control character.
///
/// Listings and diffs report symbolic links (`120000`) and gitlinks
/// (`160000`, submodule entries) with their ``FileMode``, so that a reader
/// can say which entry is wrong and go on with the others; none is ever
/// read as a file (a resource is only ever a regular file's blob, see
/// ``FileMode/isFile``): stores report such an entry for its resource only,
/// and the contract refuses a commit that adds one (rule `path`).
public enum RepositoryPath {
    /// Throws ``TransportError/Code/unsafePath`` unless `path` follows the rules.
    public static func validate(_ path: String) throws(TransportError) {
        if path.isEmpty || path.hasPrefix("/") || path.hasSuffix("/") {
            throw TransportError(.unsafePath, "'\(path)' is not a relative file path")
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if let problem = problem(with: component) {
                throw TransportError(.unsafePath, "'\(path)' is refused: \(problem)")
            }
        }
    }

    /// Throws ``TransportError/Code/unsafePath`` if `entry` is not a regular
    /// file, a symbolic link or a gitlink at a safe path. Symbolic links and
    /// gitlinks pass, to be reported by whoever meets them; never read one.
    public static func validate(_ entry: TreeEntry) throws(TransportError) {
        guard entry.mode.isFile || entry.mode == .symlink || entry.mode == .gitlink else {
            let kind = entry.mode == .symlink ? "a symbolic link" : entry.mode == .gitlink ? "a gitlink (submodule)" : "not a file"
            throw TransportError(
                .unsafePath,
                "'\(entry.path)' is \(kind) (mode \(entry.mode)); Giter reads only regular files"
            )
        }
        try validate(entry.path)
    }

    private static func problem(with component: Substring) -> String? {
        if component.isEmpty { return "it has an empty component" }
        if component == "." || component == ".." { return "it has a '\(component)' component" }
        // One pass over the bytes: in UTF-8 these bytes only ever stand for
        // the scalars themselves (multi-byte sequences use bytes >= 0x80).
        var isASCII = true
        for byte in component.utf8 {
            if byte < 0x20 || byte == UInt8(ascii: "\\") || byte == 0x7F {
                return "it holds a backslash or a control character"
            }
            if byte >= 0x80 { isASCII = false }
        }
        // Fast path for the usual name: nothing HFS+ ignores is ASCII, so
        // only trailing dots and spaces need stripping before comparing.
        if isASCII {
            let bytes = component.utf8
            var end = bytes.endIndex
            while end > bytes.startIndex {
                let last = bytes[bytes.index(before: end)]
                guard last == UInt8(ascii: ".") || last == UInt8(ascii: " ") else { break }
                end = bytes.index(before: end)
            }
            let name = bytes[bytes.startIndex..<end]
            let folded = { (byte: UInt8) in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
            }
            if name.elementsEqual(".git".utf8, by: { folded($0) == $1 })
                || name.elementsEqual("git~1".utf8, by: { folded($0) == $1 })
            {
                return "'\(component)' could be read as the repository's .git folder"
            }
            return nil
        }
        // Strip what file systems ignore: trailing dots and spaces (Windows),
        // zero-width characters (HFS+), then compare without case.
        var folded = component.unicodeScalars.filter { !ignorable.contains($0.value) }.map(Character.init)
        while let last = folded.last, last == "." || last == " " { folded.removeLast() }
        let name = String(folded).lowercased()
        if name == ".git" || name == "git~1" {
            return "'\(component)' could be read as the repository's .git folder"
        }
        return nil
    }

    /// Code points HFS+ ignores in file names.
    private static let ignorable: Set<UInt32> = [
        0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x206A, 0x206B, 0x206C, 0x206D,
        0x206E, 0x206F, 0xFEFF,
    ]
}
