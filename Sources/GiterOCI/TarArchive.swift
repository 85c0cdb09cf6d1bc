/// A POSIX tar archive (ustar, with a pax `path` record for a path longer
/// than 100 bytes) of regular files, written the same way every time: in
/// the given order, mode 0644, owner 0, time 0. So a layer's digest depends
/// on the files alone, and a follower can rebuild a layer from a commit and
/// compare digests.
struct TarArchive {
    private(set) var bytes: [UInt8] = []

    mutating func append(path: String, contents: [UInt8]) {
        let name = Array(path.utf8)
        if name.count > 100 {
            // pax extended header: "<length> path=<path>\n", the length counting itself.
            let rest = " path=".utf8.count + name.count + 1
            var length = rest + 1
            while String(length).utf8.count + rest > length { length += 1 }
            let record = Array("\(length) path=".utf8) + name + [0x0A]
            appendHeader(name: Array("PaxHeader".utf8), size: record.count, type: UInt8(ascii: "x"))
            appendPadded(record)
        }
        appendHeader(name: Array(name.suffix(100)), size: contents.count, type: UInt8(ascii: "0"))
        appendPadded(contents)
    }

    /// The archive with its end: two blocks of zeros.
    func finished() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    private mutating func appendHeader(name: [UInt8], size: Int, type: UInt8) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ field: [UInt8], at offset: Int) {
            for (index, byte) in field.enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put([UInt8](repeating: 0x20, count: 8), at: 148)
        header[156] = type
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7) + [0x20], at: 148)
        bytes += header
    }

    private mutating func appendPadded(_ contents: [UInt8]) {
        bytes += contents
        let remainder = contents.count % 512
        if remainder != 0 { bytes += [UInt8](repeating: 0, count: 512 - remainder) }
    }
}
