import Giter

extension GitOutput {
    /// One entry of a tree object as stored: octal mode text, name, hex id.
    struct RawTreeEntry: Sendable, Equatable {
        var mode: String
        var name: String
        var id: String

        var isTree: Bool { mode == "40000" }

        /// The object type `git mktree` expects for the mode.
        var type: String {
            switch mode {
            case "40000": "tree"
            case "160000": "commit"
            default: "blob"
            }
        }
    }

    /// Parses a tree object's contents (`<mode> SP <name> NUL <binary id>`
    /// records) with ids of `idLength` bytes (20 for SHA-1, 32 for SHA-256).
    static func rawTreeEntries(_ bytes: [UInt8], idLength: Int) throws(TransportError) -> [RawTreeEntry] {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var entries: [RawTreeEntry] = []
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: 0x20),
                let nul = bytes[space...].firstIndex(of: 0)
            else {
                throw TransportError(.backend, "a tree object in the mirror is malformed at byte \(index)")
            }
            guard nul + 1 + idLength <= bytes.count else {
                throw TransportError(.backend, "a tree object in the mirror ends inside an id")
            }
            var hex: [UInt8] = []
            hex.reserveCapacity(idLength * 2)
            for byte in bytes[(nul + 1)..<(nul + 1 + idLength)] {
                hex.append(digits[Int(byte >> 4)])
                hex.append(digits[Int(byte & 0x0F)])
            }
            entries.append(
                RawTreeEntry(
                    mode: String(decoding: bytes[index..<space], as: UTF8.self),
                    name: String(decoding: bytes[(space + 1)..<nul], as: UTF8.self),
                    id: String(decoding: hex, as: UTF8.self)))
            index = nul + 1 + idLength
        }
        return entries
    }
}
