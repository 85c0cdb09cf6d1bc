package import Giter

/// Where the objects of a repository are read from when Git tells a process
/// through its environment — as `git-receive-pack` does for a `pre-receive`
/// hook, whose new objects are still in quarantine:
/// `GIT_OBJECT_DIRECTORY` (the quarantine folder, replacing the
/// repository's `objects`), `GIT_ALTERNATE_OBJECT_DIRECTORIES` (the
/// repository's own `objects`, and any others) and `GIT_QUARANTINE_PATH`.
/// One reading of these variables for both backends: libgit2 opens these
/// folders itself, the git CLI backend hands ``gitEnvironment`` to `git`.
///
/// Paths that are not absolute are taken relative to the working directory
/// given (a hook's is the repository), as Git does. An entry of
/// `GIT_ALTERNATE_OBJECT_DIRECTORIES` that starts with a double quote is
/// C-quoted (Git quotes a path holding a `:` this way); the entries are
/// separated by `:`.
package struct ObjectDirectories: Equatable, Sendable {
    /// The variables read, in the order Git documents them.
    package static let variableNames = [
        "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH",
    ]

    /// The folder objects are read from first, instead of the repository's
    /// own `objects`; nil: the repository's own.
    package let primary: String?
    /// The further folders objects are read from, in order, absolute.
    package let alternates: [String]
    /// `GIT_QUARANTINE_PATH` as given, absolute: where a push's new objects wait.
    package let quarantine: String?

    /// No variable set: the repository's own objects only.
    package static let repositoryOwn = ObjectDirectories(primary: nil, alternates: [], quarantine: nil)

    private init(primary: String?, alternates: [String], quarantine: String?) {
        self.primary = primary
        self.alternates = alternates
        self.quarantine = quarantine
    }

    /// The folders `environment` names (other variables are ignored).
    ///
    /// - Throws: `TransportError` with code `invalidArgument` when
    ///   `GIT_OBJECT_DIRECTORY` or `GIT_QUARANTINE_PATH` is set but not a
    ///   folder (the objects they should hold cannot be read: fail closed),
    ///   or an alternate's quoting is broken. A missing alternate folder is
    ///   skipped, as Git skips it.
    package init(environment: [String: String], workingDirectory: String) throws(TransportError) {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : (workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/") + path
        }
        func folder(_ name: String) throws(TransportError) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            let path = absolute(value)
            guard Platform.stamp(of: path)?.isFolder == true else {
                throw TransportError(
                    .invalidArgument,
                    "\(name) names \(path), which is not a folder: the objects it should hold cannot be read; "
                        + "run the hook from git-receive-pack, or unset \(name)")
            }
            return path
        }
        let primary = try folder("GIT_OBJECT_DIRECTORY")
        let quarantine = try folder("GIT_QUARANTINE_PATH")
        var alternates = try Self.parseList(environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] ?? "").map(absolute)
        if let quarantine, quarantine != primary, !alternates.contains(quarantine) {
            alternates.append(quarantine)
        }
        self.init(primary: primary, alternates: alternates, quarantine: quarantine)
    }

    /// The variables that make a `git` process read these folders (empty
    /// for ``repositoryOwn``).
    package var gitEnvironment: [String: String] {
        var result: [String: String] = [:]
        if let primary { result["GIT_OBJECT_DIRECTORY"] = primary }
        if !alternates.isEmpty {
            result["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = alternates.map(Self.quoteIfNeeded).joined(separator: ":")
        }
        if let quarantine { result["GIT_QUARANTINE_PATH"] = quarantine }
        return result
    }

    // MARK: The list's syntax

    /// The entries of a `:`-separated list whose entries may be C-quoted;
    /// empty entries are skipped, as Git skips them.
    static func parseList(_ text: String) throws(TransportError) -> [String] {
        let bytes = Array(text.utf8)
        var entries: [String] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\"") {
                let (entry, end) = try unquote(bytes, from: index)
                guard end == bytes.count || bytes[end] == UInt8(ascii: ":") else {
                    throw TransportError(
                        .invalidArgument,
                        "GIT_ALTERNATE_OBJECT_DIRECTORIES has text after the quoted path \(String(decoding: entry, as: UTF8.self))")
                }
                if !entry.isEmpty { entries.append(String(decoding: entry, as: UTF8.self)) }
                index = end + 1
            } else {
                let end = bytes[index...].firstIndex(of: UInt8(ascii: ":")) ?? bytes.count
                if end > index { entries.append(String(decoding: bytes[index..<end], as: UTF8.self)) }
                index = end + 1
            }
        }
        return entries
    }

    /// The C-quoted string that starts at `start` (a double quote): its
    /// bytes, and the index just past the closing quote.
    private static func unquote(_ bytes: [UInt8], from start: Int) throws(TransportError) -> ([UInt8], Int) {
        var result: [UInt8] = []
        var index = start + 1
        let escapes: [UInt8: UInt8] = [
            UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B,
            UInt8(ascii: "\\"): UInt8(ascii: "\\"), UInt8(ascii: "\""): UInt8(ascii: "\""),
        ]
        func broken(_ why: String) -> TransportError {
            TransportError(.invalidArgument, "GIT_ALTERNATE_OBJECT_DIRECTORIES has a badly quoted path: \(why)")
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return (result, index) }
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                continue
            }
            guard index < bytes.count else { break }
            let escaped = bytes[index]
            index += 1
            if let plain = escapes[escaped] {
                result.append(plain)
            } else if (UInt8(ascii: "0")...UInt8(ascii: "3")).contains(escaped) {
                guard index + 1 < bytes.count,
                    let middle = octal(bytes[index]), let last = octal(bytes[index + 1])
                else { throw broken("an octal escape needs three digits") }
                result.append((escaped - UInt8(ascii: "0")) << 6 | middle << 3 | last)
                index += 2
            } else {
                throw broken("unknown escape \\\(Character(Unicode.Scalar(escaped)))")
            }
        }
        throw broken("no closing quote")
    }

    private static func octal(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }

    /// `path` as one entry of the list: C-quoted when it holds a `:`, a
    /// quote, a backslash or a control character, or starts with a quote.
    static func quoteIfNeeded(_ path: String) -> String {
        let bytes = Array(path.utf8)
        let needsQuoting = bytes.contains {
            $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
        }
        guard needsQuoting else { return path }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): quoted += [UInt8(ascii: "\\"), byte]
            case 0x0A: quoted += Array("\\n".utf8)
            case 0x09: quoted += Array("\\t".utf8)
            case ..<0x20, 0x7F:
                quoted += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            default: quoted.append(byte)
            }
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }
}
