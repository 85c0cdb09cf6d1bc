/// The id of a Git object: its SHA-1 (20 bytes, 40 hexadecimal digits) or
/// SHA-256 (32 bytes, 64 digits) hash.
///
/// The hash is held inline, in four words, not as text: an index of a
/// hundred thousand files holds a hundred thousand ids, and each one as a
/// `String` was a heap object of its own. ``hex`` spells it out on demand,
/// in lowercase.
public struct ObjectID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The hash's bytes, big-endian, eight to a word; a SHA-1 hash fills
    /// the first 20 bytes and leaves the rest zero.
    private let words: (UInt64, UInt64, UInt64, UInt64)
    /// Whether the hash is SHA-256 (32 bytes) rather than SHA-1 (20).
    private let isSHA256: Bool

    /// An id from its hexadecimal text (either case); `nil` unless it is 40
    /// or 64 hexadecimal digits.
    public init?(hex: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8?
        for character in hex.utf8 {
            let nibble: UInt8
            switch character {
            case 0x30...0x39: nibble = character - 0x30
            case 0x61...0x66: nibble = character - 0x61 + 10
            case 0x41...0x46: nibble = character - 0x41 + 10
            default: return nil
            }
            if let first = high {
                guard bytes.count < 32 else { return nil }
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { return nil }
        self.init(bytes: bytes)
    }

    /// An id from the hash's raw bytes; `nil` unless there are 20 or 32.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 20 || bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.enumerated() {
            words[index / 8] |= UInt64(byte) << (56 - 8 * UInt64(index % 8))
        }
        self.words = (words[0], words[1], words[2], words[3])
        self.isSHA256 = bytes.count == 32
    }

    /// How many bytes the hash has: 20 (SHA-1) or 32 (SHA-256).
    public var byteCount: Int { isSHA256 ? 32 : 20 }

    /// The hash's raw bytes.
    public var bytes: [UInt8] {
        let all = [words.0, words.1, words.2, words.3]
        return (0..<byteCount).map { index in UInt8(truncatingIfNeeded: all[index / 8] >> (56 - 8 * UInt64(index % 8))) }
    }

    /// The id in lowercase hexadecimal.
    public var hex: String { Self.spell(bytes, digits: byteCount * 2) }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { Self.spell(bytes, digits: 7) }

    public var description: String { hex }

    public static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        lhs.words == rhs.words && lhs.isSHA256 == rhs.isSHA256
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
        hasher.combine(isSHA256)
    }

    /// The order of the hexadecimal text.
    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.words.0, lhs.words.1, lhs.words.2, lhs.words.3, lhs.isSHA256 ? 1 : 0)
            < (rhs.words.0, rhs.words.1, rhs.words.2, rhs.words.3, rhs.isSHA256 ? 1 : 0)
    }

    /// The first `digits` hexadecimal digits of `bytes`, in lowercase.
    private static func spell(_ bytes: [UInt8], digits: Int) -> String {
        let alphabet: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: digits) { buffer in
            alphabet.withUTF8Buffer { table in
                for index in 0..<digits {
                    let byte = bytes[index / 2]
                    buffer[index] = table[Int(index % 2 == 0 ? byte >> 4 : byte & 0x0F)]
                }
            }
            return digits
        }
    }
}
