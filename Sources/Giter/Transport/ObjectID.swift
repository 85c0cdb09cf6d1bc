/// The id of a Git object: its SHA-1 (40 hexadecimal digits) or SHA-256
/// (64) hash, kept in lowercase.
public struct ObjectID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id in lowercase hexadecimal.
    public let hex: String

    /// An id from its hexadecimal text; `nil` unless it is 40 or 64 hexadecimal digits.
    public init?(hex: String) {
        let utf8 = hex.utf8
        guard utf8.count == 40 || utf8.count == 64,
            utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) })
        else { return nil }
        self.hex = hex.lowercased()
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }
}
