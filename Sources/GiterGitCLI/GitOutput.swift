import Foundation
import Giter

/// Parsers for the machine-readable output of git plumbing commands.
enum GitOutput {
    /// Splits `-z` output into its NUL-terminated fields.
    static func fields(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result = bytes.split(separator: 0, omittingEmptySubsequences: false)
        if result.last?.isEmpty == true { result.removeLast() }
        return result
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func mode(_ text: some StringProtocol) -> FileMode? {
        UInt32(text, radix: 8).map(FileMode.init(rawValue:))
    }

    /// `git ls-tree -r -z` records: `<mode> SP <type> SP <id> TAB <path>`.
    static func treeEntries(_ bytes: [UInt8]) throws(TransportError) -> [TreeEntry] {
        var entries: [TreeEntry] = []
        for record in fields(bytes) {
            guard let tab = record.firstIndex(of: 0x09) else {
                throw TransportError(.backend, "git ls-tree printed an unexpected record: '\(text(record))'")
            }
            let meta = text(record[..<tab]).split(separator: " ")
            let path = text(record[(tab + 1)...])
            guard meta.count == 3, let mode = mode(meta[0]), let id = ObjectID(hex: String(meta[2])) else {
                throw TransportError(.backend, "git ls-tree printed an unexpected record: '\(text(record))'")
            }
            entries.append(TreeEntry(path: path, mode: mode, id: id))
        }
        return entries
    }

    /// `git diff-tree -r -z --raw` records:
    /// `:<old mode> <new mode> <old id> <new id> <status>` NUL `<path>` NUL.
    static func pathChanges(_ bytes: [UInt8]) throws(TransportError) -> [PathChange] {
        let parts = fields(bytes)
        var changes: [PathChange] = []
        var index = parts.startIndex
        while index < parts.endIndex {
            let meta = text(parts[index])
            let fields = meta.split(separator: " ")
            guard meta.hasPrefix(":"), fields.count == 5, index + 1 < parts.endIndex,
                let oldMode = mode(fields[0].dropFirst()), let newMode = mode(fields[1]),
                let oldID = ObjectID(hex: String(fields[2])), let newID = ObjectID(hex: String(fields[3]))
            else {
                throw TransportError(.backend, "git diff-tree printed an unexpected record: '\(meta)'")
            }
            let path = text(parts[index + 1])
            let oldAbsent = oldMode.rawValue == 0
            let newAbsent = newMode.rawValue == 0
            changes.append(
                PathChange(
                    path: path,
                    oldID: oldAbsent ? nil : oldID, oldMode: oldAbsent ? nil : oldMode,
                    newID: newAbsent ? nil : newID, newMode: newAbsent ? nil : newMode
                ))
            index += 2
        }
        return changes
    }

    /// A raw commit object, as `git cat-file commit` prints it.
    static func commit(id: ObjectID, raw: [UInt8]) throws(TransportError) -> CommitInfo {
        let separator: [UInt8] = [0x0A, 0x0A]
        var headerEnd = raw.endIndex
        var messageStart = raw.endIndex
        if raw.count >= 2 {
            for index in raw.indices.dropLast() where raw[index] == 0x0A && raw[index + 1] == 0x0A {
                headerEnd = index
                messageStart = index + separator.count
                break
            }
        }
        var parents: [ObjectID] = []
        var author: Signature?
        var committer: Signature?
        for line in raw[..<headerEnd].split(separator: 0x0A) where line.first != 0x20 {
            guard let space = line.firstIndex(of: 0x20) else { continue }
            let key = text(line[..<space])
            let value = text(line[(space + 1)...])
            switch key {
            case "parent":
                guard let parent = ObjectID(hex: value) else {
                    throw TransportError(.backend, "commit \(id) has an invalid parent '\(value)'")
                }
                parents.append(parent)
            case "author": author = signature(value)
            case "committer": committer = signature(value)
            default: break
            }
        }
        guard let author, let committer else {
            throw TransportError(.backend, "commit \(id) has no valid author or committer line")
        }
        let message = text(raw[messageStart...])
        return CommitInfo(id: id, parents: parents, author: author, committer: committer, message: message)
    }

    /// `Name <email> <seconds> <+hhmm>`.
    static func signature(_ line: String) -> Signature? {
        guard let open = line.firstIndex(of: "<"), let close = line.lastIndex(of: ">"), open < close else {
            return nil
        }
        var name = line[..<open]
        while name.last == " " { name.removeLast() }
        let email = line[line.index(after: open)..<close]
        let rest = line[line.index(after: close)...].split(separator: " ")
        guard rest.count == 2, let seconds = Int64(rest[0]), let offset = timeZoneMinutes(rest[1]) else { return nil }
        return Signature(
            name: String(name), email: String(email),
            date: Date(timeIntervalSince1970: TimeInterval(seconds)), timeZoneOffsetMinutes: offset)
    }

    /// `+0130` → 90, `-0800` → -480.
    static func timeZoneMinutes(_ text: Substring) -> Int? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 5, utf8[0] == UInt8(ascii: "+") || utf8[0] == UInt8(ascii: "-"),
            let value = Int(text.dropFirst()), value >= 0
        else { return nil }
        let minutes = (value / 100) * 60 + value % 100
        return utf8[0] == UInt8(ascii: "-") ? -minutes : minutes
    }

    /// Sorts by the bytes of the path (what both backends agree on).
    static func byPath(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Whether `path` is `prefix` itself or inside the folder `prefix`.
    static func path(_ path: String, isUnder prefix: String?) -> Bool {
        guard let prefix, !prefix.isEmpty else { return true }
        guard path.utf8.starts(with: prefix.utf8) else { return false }
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        return rest.first == UInt8(ascii: "/")
    }
}
