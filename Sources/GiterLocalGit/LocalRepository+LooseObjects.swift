import CZlib
package import Giter

/// An object read from a loose object file: its type as Git names it
/// (`blob`, `tree`, `commit`, `tag`) and its contents.
package struct LooseObject: Equatable, Sendable {
    package var type: String
    package var contents: [UInt8]

    package init(type: String, contents: [UInt8]) {
        self.type = type
        self.contents = contents
    }
}

extension LocalRepository {
    /// The loose object `id` (`objects/ab/cdef…`: `type size\0contents` as
    /// a zlib stream), read and checked in process: nil when there is no
    /// such file, or when it cannot be used here and Git should answer
    /// instead — an id that is not SHA-1, contents over `maximumSize`
    /// bytes, a stream that does not inflate to exactly its header's size,
    /// an unknown type, or bytes whose name is not `id`.
    package func readLooseObject(_ id: ObjectID, maximumSize: Int) -> LooseObject? {
        guard id.hex.utf8.count == 40, maximumSize >= 0, maximumSize <= Int(Int32.max) else { return nil }
        // Deflate can make incompressible bytes a little longer: a few bytes per 16 KiB block, and its header.
        let compressedLimit = maximumSize + maximumSize / 1_024 + 1_024
        guard let stream = Platform.contents(of: looseObjectPath(id), limit: compressedLimit),
            let object = Inflater.inflate(stream, limit: maximumSize + 64),
            let terminator = object.firstIndex(of: 0)
        else { return nil }
        let header = object[..<terminator].split(separator: 0x20, maxSplits: 1, omittingEmptySubsequences: false)
        // The size as Git writes it: decimal digits, no sign, no leading zero.
        guard header.count == 2, let digits = header.last, !digits.isEmpty, digits.count <= 10,
            digits.allSatisfy({ (0x30...0x39).contains($0) }), digits.first != 0x30 || digits.count == 1,
            let size = Int(String(decoding: digits, as: UTF8.self)),
            size == object.count - terminator - 1, size <= maximumSize
        else { return nil }
        let name = String(decoding: header[0], as: UTF8.self)
        guard let type = PackObjectType(name: name) else { return nil }
        let contents = Array(object[(terminator + 1)...])
        guard PackFileWriter.name(of: type, contents) == id else { return nil }
        return LooseObject(type: name, contents: contents)
    }
}

/// zlib's inflate, for loose object files.
private enum Inflater {
    /// The bytes `stream` (one whole zlib stream, nothing after it)
    /// inflates to; nil when it is not one, or inflates to more than
    /// `limit` bytes.
    static func inflate(_ stream: [UInt8], limit: Int) -> [UInt8]? {
        // zlib keeps this address in its state and checks it on every call: allocated, not a local.
        let state = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        state.initialize(to: z_stream())
        defer { state.deallocate() }
        guard inflateInit_(state, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(state) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(max(stream.count * 4, 4_096), limit + 1))
        return stream.withUnsafeBufferPointer { input -> [UInt8]? in
            state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            state.pointee.avail_in = uInt(input.count)
            defer { state.pointee.next_in = nil }
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
                    state.pointee.next_out = buffer.baseAddress
                    state.pointee.avail_out = uInt(buffer.count)
                    defer { state.pointee.next_out = nil }
                    let status = CZlib.inflate(state, Z_NO_FLUSH)
                    return (status, buffer.count - Int(state.pointee.avail_out))
                }
                output += chunk[..<produced]
                guard output.count <= limit else { return nil }
                switch status {
                case Z_STREAM_END: return state.pointee.avail_in == 0 ? output : nil
                case Z_OK where produced > 0 || state.pointee.avail_in > 0: continue
                default: return nil
                }
            }
        }
    }
}
