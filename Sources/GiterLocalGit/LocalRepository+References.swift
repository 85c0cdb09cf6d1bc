package import Giter

/// What a ref of a repository on this machine holds, read from its files.
package enum ReferenceValue: Equatable, Sendable {
    case value(ObjectID)
    case missing
    /// Symbolic, malformed or unreadable: leave it to Git.
    case unreadable
}

extension LocalRepository {
    /// Reads the ref `name` (a full name: `refs/heads/…`, `refs/giter/…`)
    /// the way Git's files backend stores it: its loose file, else its line
    /// in `packed-refs`. A ref in the middle of an update may be read before
    /// or after it, never half-written (Git renames the lock file into place).
    package func readReference(_ name: String) -> ReferenceValue {
        let file = referenceFile(name)
        if Platform.exists(file) {
            guard let bytes = Platform.contents(of: file) else { return .unreadable }
            let text = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace
            return ObjectID(hex: text).map(ReferenceValue.value) ?? .unreadable
        }
        guard let packed = Platform.contents(of: packedReferencesFile) else {
            return Platform.exists(packedReferencesFile) ? .unreadable : .missing
        }
        for line in String(decoding: packed, as: UTF8.self).split(separator: "\n") {
            guard !line.hasPrefix("#"), !line.hasPrefix("^"), let space = line.firstIndex(of: " ") else { continue }
            if line[line.index(after: space)...].trimmingASCIIWhitespace == name {
                return ObjectID(hex: String(line[..<space])).map(ReferenceValue.value) ?? .unreadable
            }
        }
        return .missing
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs, carriage returns and newlines.
    fileprivate var trimmingASCIIWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
