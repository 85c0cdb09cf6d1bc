import Crypto

/// The files of one kind in one commit's tree, with the labels of those
/// read so far: what a ``GitResourceStore`` lists and selects by label from
/// without listing the whole tree or reading every file. Kept in the
/// store's mirror as the local value `indexes/<Kind>/<branch>` (see
/// ``LocalValueName``), never in the exchange.
///
/// It describes the tree only: a pure function of the commit's tree (each
/// entry's path, mode and blob id) and of the blobs' contents (their
/// labels). What the contract's check keeps in force where it differs from
/// the tree (the ``ExchangeLedger/State/pins``) is applied on top by the
/// store, so an index is right for any check of the history. An index of
/// another commit is brought up to date from the diff between the two
/// trees; one that does not read back exactly (wrong version, kind or
/// format, a checksum that does not match, over ``maxBytes``) is rebuilt
/// from the tree, never used. See `Documentation/Architecture.md`, "Reads".
struct ReadIndex: Sendable, Equatable {
    /// One entry of the tree.
    struct Entry: Sendable, Equatable {
        var mode: FileMode
        var blob: ObjectID
        /// The file's `metadata.labels` (empty when it has none); `nil` when
        /// not known: not read yet, not readable as a resource, or labels
        /// longer than ``maxLabelBytes``.
        var labels: [String: String]?
    }

    /// The version of the format this code reads and writes.
    static let version = 1
    /// The largest index read back; a larger one is rebuilt (256 MiB: over
    /// a million resources with labels).
    static let maxBytes = 256 << 20
    /// Labels longer than this, encoded, are not kept: such a file is read
    /// at each selection.
    static let maxLabelBytes = 2048

    var kind: String
    /// The commit whose tree this describes.
    var commit: ObjectID
    /// Path → entry, for every entry the store reads or reports: the kind's
    /// live and archived files, whatever their mode, and the entries that
    /// keep its files from being where readers look (``isLayoutEntry(_:mode:kind:)``).
    var entries: [String: Entry]

    /// Whether a store of `kind` keeps the entry at `path` with `mode`.
    static func belongs(_ path: String, mode: FileMode, kind: String) -> Bool {
        if let key = ResourceKey(repositoryPath: path) ?? ResourceKey(archivePath: path), key.kind == kind { return true }
        return isLayoutEntry(path, mode: mode, kind: kind)
    }

    /// An entry the store reports as a layout problem when it is in force
    /// (see `GitResourceStore.reportLayoutProblems(in:)`): a file under a
    /// kind folder that differs from `kind` only in case, or a symbolic link
    /// or gitlink where the `resources/` or `archive/` folder, a namespace
    /// folder, `kind`'s folder or one of its buckets should be.
    static func isLayoutEntry(_ path: String, mode: FileMode, kind: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts[0] == ResourceKey.resourcesFolder || parts[0] == ResourceKey.archiveFolder else { return false }
        if parts.count >= 3, parts[2] != kind, parts[2].lowercased() == kind.lowercased() { return true }
        return parts.count <= 4 && (parts.count <= 2 || parts[2] == kind) && !mode.isFile && mode != .tree
    }

    /// The index of the tree `changes` lists in full (a diff from the empty tree).
    init(kind: String, commit: ObjectID, tree changes: [PathChange]) {
        self.kind = kind
        self.commit = commit
        self.entries = [:]
        apply(changes, to: commit)
    }

    private init(kind: String, commit: ObjectID, entries: [String: Entry]) {
        self.kind = kind
        self.commit = commit
        self.entries = entries
    }

    /// Moves the index to `commit` by the diff from its commit's tree.
    /// Entries whose blob did not change keep their labels.
    mutating func apply(_ changes: [PathChange], to commit: ObjectID) {
        for change in changes {
            if let id = change.newID, let mode = change.newMode, Self.belongs(change.path, mode: mode, kind: kind) {
                let labels = entries[change.path].flatMap { $0.blob == id ? $0.labels : nil }
                entries[change.path] = Entry(mode: mode, blob: id, labels: labels)
            } else {
                entries[change.path] = nil
            }
        }
        self.commit = commit
    }

    /// Records the labels read from blob `id` at `path`, if the index still
    /// has that blob there; whether anything changed.
    @discardableResult
    mutating func learn(_ labels: [String: String], at path: String, blob id: ObjectID) -> Bool {
        guard var entry = entries[path], entry.blob == id, entry.labels != labels else { return false }
        guard Self.encode(labels).utf8.count <= Self.maxLabelBytes else { return false }
        entry.labels = labels
        entries[path] = entry
        return true
    }

    /// The labels of blob `id` at `path`, when known.
    func labels(at path: String, blob id: ObjectID) -> [String: String]? {
        guard let entry = entries[path], entry.blob == id else { return nil }
        return entry.labels
    }

    // MARK: Format

    /// The index as stored: a header, one line per entry sorted by path
    /// (`<mode in octal> <blob> <path> <labels>`, the path and each label's
    /// key and value percent-encoded; labels `?` when not known, else `L`
    /// followed by `key=value` pairs separated by `,`), and the SHA-256 of
    /// everything before it.
    func encoded() -> [UInt8] {
        var text = "giter-read-index \(Self.version)\nkind \(Self.escape(kind))\ncommit \(commit.hex)\n"
        text += "entries \(entries.count)\n"
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            text += String(entry.mode.rawValue, radix: 8) + " " + entry.blob.hex + " " + Self.escape(path) + " "
            text += entry.labels.map { "L" + Self.encode($0) } ?? "?"
            text += "\n"
        }
        var bytes = Array(text.utf8)
        bytes += Array("sha256 \(Self.hex(SHA256.hash(data: bytes)))\n".utf8)
        return bytes
    }

    /// The index stored as `bytes` for `kind`; `nil` unless it reads back
    /// exactly: within ``maxBytes``, this version, this kind, a matching
    /// checksum, and every line well formed.
    static func decode(_ bytes: [UInt8], kind: String) -> ReadIndex? {
        guard bytes.count <= maxBytes, bytes.last == UInt8(ascii: "\n") else { return nil }
        let body = bytes.dropLast()
        guard let cut = body.lastIndex(of: UInt8(ascii: "\n")) else { return nil }
        let content = bytes[..<(cut + 1)]
        let trailer = String(decoding: body[(cut + 1)...], as: UTF8.self)
        guard trailer == "sha256 " + hex(SHA256.hash(data: Array(content))) else { return nil }
        var lines = content.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
            .makeIterator()
        func field(_ name: String) -> String? {
            guard let line = lines.next() else { return nil }
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix(name + " ") else { return nil }
            return String(text.dropFirst(name.count + 1))
        }
        guard field("giter-read-index") == String(version), field("kind").flatMap(unescape) == kind,
            let commit = field("commit").flatMap(ObjectID.init(hex:)), let count = field("entries").flatMap({ Int($0) }),
            count >= 0
        else { return nil }
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(min(count, bytes.count / 50))
        while let line = lines.next() {
            let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard parts.count == 4, let raw = UInt32(String(decoding: parts[0], as: UTF8.self), radix: 8),
                let blob = ObjectID(hex: String(decoding: parts[1], as: UTF8.self)),
                let path = unescape(String(decoding: parts[2], as: UTF8.self)), entries[path] == nil
            else { return nil }
            let mode = FileMode(rawValue: raw)
            guard belongs(path, mode: mode, kind: kind) else { return nil }
            var labels: [String: String]?
            switch parts[3].first {
            case UInt8(ascii: "?") where parts[3].count == 1: labels = nil
            case UInt8(ascii: "L"):
                guard let decoded = decodeLabels(String(decoding: parts[3].dropFirst(), as: UTF8.self)) else {
                    return nil
                }
                labels = decoded
            default: return nil
            }
            entries[path] = Entry(mode: mode, blob: blob, labels: labels)
        }
        guard entries.count == count else { return nil }
        return ReadIndex(kind: kind, commit: commit, entries: entries)
    }

    /// `key=value` pairs sorted by key, separated by `,`, each part escaped.
    static func encode(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { escape($0.key) + "=" + escape($0.value) }.joined(separator: ",")
    }

    private static func decodeLabels(_ text: String) -> [String: String]? {
        var labels: [String: String] = [:]
        guard !text.isEmpty else { return labels }
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let sides = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard sides.count == 2, let key = unescape(String(sides[0])), let value = unescape(String(sides[1])),
                labels[key] == nil
            else { return nil }
            labels[key] = value
        }
        return labels
    }

    /// `text` with every byte but ASCII letters, digits and `-._/~` written as `%XX`.
    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if isPlain(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + hexDigits(byte)
            }
        }
        return result
    }

    /// The text `escape` wrote; `nil` for anything it could not have written.
    static func unescape(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                let decoded = high << 4 | low
                guard !isPlain(decoded) else { return nil }
                bytes.append(decoded)
            } else {
                guard isPlain(byte) else { return nil }
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "/"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }.joined()
    }
}
