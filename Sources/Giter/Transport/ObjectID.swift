/// The id of a Git object: its SHA-1 (40 hexadecimal digits) or SHA-256
/// (64) hash, kept in lowercase.
public struct ObjectID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id in lowercase hexadecimal.
    public let hex: String

    /// An id from its hexadecimal text; `nil` unless it is 40 or 64 hexadecimal digits.
    public init?(hex: String) {
        let utf8 = hex.utf8
        guard utf8.count == 40 || utf8.count == 64 else { return nil }
        var uppercase = false
        for byte in utf8 {
            switch byte {
            case 0x30...0x39, 0x61...0x66: continue
            case 0x41...0x46: uppercase = true
            default: return nil
            }
        }
        // Most ids come from git already in lowercase: kept as they are, not copied.
        self.hex = uppercase ? hex.lowercased() : hex
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }
}

extension ObjectID {
    /// An id whose text is known to be 40 or 64 lowercase hexadecimal digits.
    package init(lowercaseHex hex: String) {
        self.hex = hex
    }
}

/// An ``ObjectID`` kept without a heap block of its own: a SHA-1 id as its
/// 20 bytes, inline; a SHA-256 id as the ``ObjectID`` itself.
///
/// A store keeps one for every file in its view. As ``ObjectID``s, 100,000
/// of them were 100,000 small strings that outlived the first sync, spread
/// over the pages the sync's transient values had used, and kept those
/// pages resident (see `Documentation/Performance.md`).
enum InlineObjectID: Hashable, Sendable {
    case sha1(UInt64, UInt64, UInt32)
    case other(ObjectID)

    init(_ id: ObjectID) {
        let digits = id.hex.utf8
        guard digits.count == 40 else {
            self = .other(id)
            return
        }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for (index, digit) in digits.enumerated() {
            // ObjectID holds lowercase hexadecimal digits only.
            let nibble = UInt64(digit <= 0x39 ? digit &- 0x30 : digit &- 0x57)
            switch index {
            case 0..<16: words.0 = words.0 << 4 | nibble
            case 16..<32: words.1 = words.1 << 4 | nibble
            default: words.2 = words.2 << 4 | nibble
            }
        }
        self = .sha1(words.0, words.1, UInt32(truncatingIfNeeded: words.2))
    }

    init?(_ id: ObjectID?) {
        guard let id else { return nil }
        self.init(id)
    }

    /// The id, with its text made again for a SHA-1 id.
    var objectID: ObjectID {
        switch self {
        case .other(let id):
            return id
        case .sha1(let first, let second, let third):
            let text = String(unsafeUninitializedCapacity: 40) { buffer in
                let digits: StaticString = "0123456789abcdef"
                func put(_ word: UInt64, digits count: Int, at start: Int) {
                    for offset in 0..<count {
                        let nibble = Int(truncatingIfNeeded: word >> UInt64(4 * (count - 1 - offset))) & 0xf
                        buffer[start + offset] = digits.utf8Start[nibble]
                    }
                }
                put(first, digits: 16, at: 0)
                put(second, digits: 16, at: 16)
                put(UInt64(third), digits: 8, at: 32)
                return 40
            }
            return ObjectID(lowercaseHex: text)
        }
    }
}
