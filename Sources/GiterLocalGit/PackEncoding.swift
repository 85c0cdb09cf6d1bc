import CZlib
package import Giter

/// The pieces of Git's pack format (`gitformat-pack(5)`, version 2) that a pack without deltas needs.
package enum PackEncoding {
    package static func appendBigEndian(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// An object's header: its type (1 commit, 2 tree, 3 blob, 4 tag) and
    /// its size, four bits in the first byte and seven in each next one,
    /// the high bit saying that another byte follows.
    package static func appendHeader(type: UInt8, size: Int, to buffer: inout [UInt8]) {
        var byte = type << 4 | UInt8(size & 0x0F)
        var rest = size >> 4
        while rest > 0 {
            buffer.append(byte | 0x80)
            byte = UInt8(rest & 0x7F)
            rest >>= 7
        }
        buffer.append(byte)
    }
}

/// Deflates objects one after another, each as a zlib stream of its own,
/// with one zlib state per level for all of them: reset between objects
/// rather than set up and torn down (a quarter of a megabyte allocated and
/// partly cleared) for each.
///
/// An object smaller than ``storedBelow`` is stored (zlib level 0: the
/// stream holds the bytes as they are), a larger one deflated at the
/// fastest level. For a small object, zlib's fixed cost per stream (the
/// Huffman trees of its one block, built and written whatever the level)
/// is most of what deflating costs and saves a few hundred bytes at most;
/// measured in `Documentation/Performance.md` ("Bulk, second pass"), it
/// was a fifth of all the CPU of a bulk exchange. Git reads either kind of
/// stream (it is what `core.compression 0` writes), and `git gc` deflates
/// them again when it repacks.
package final class Deflater {
    /// The size from which an object is deflated rather than stored.
    package static let storedBelow = 1024

    private let stored: ZStream
    private let deflated: ZStream

    package init() throws(TransportError) {
        stored = try ZStream(level: Z_NO_COMPRESSION)
        deflated = try ZStream(level: Z_BEST_SPEED)
    }

    /// Appends `data`, stored or deflated by its size, to `buffer`.
    package func append(_ data: UnsafeRawBufferPointer, to buffer: inout [UInt8]) throws(TransportError) {
        try (data.count < Self.storedBelow ? stored : deflated).append(data, to: &buffer)
    }
}

/// One zlib deflate state at one level.
private final class ZStream {
    /// zlib keeps this address in its state and checks it on every call: allocated, not a property.
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init(level: Int32) throws(TransportError) {
        stream.initialize(to: z_stream())
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        // On failure deinit still runs (every property is set): deflateEnd on a stream that did not start does nothing.
        guard status == Z_OK else { throw TransportError(.backend, "zlib could not start (\(status))") }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Appends `data`, deflated, to `buffer`.
    func append(_ data: UnsafeRawBufferPointer, to buffer: inout [UInt8]) throws(TransportError) {
        // zlib counts a call's input and output in 32 bits.
        guard data.count < Int(UInt32.max / 2) else {
            throw TransportError(.invalidArgument, "an object of \(data.count) bytes is too large to write into a pack")
        }
        let bound = Int(deflateBound(stream, uLong(data.count)))
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: bound))
        var status = deflateReset(stream)
        var written = 0
        if status == Z_OK {
            status = buffer.withUnsafeMutableBufferPointer { output in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(data.count)
                stream.pointee.next_out = output.baseAddress! + start
                stream.pointee.avail_out = uInt(bound)
                defer {
                    written = bound - Int(stream.pointee.avail_out)
                    stream.pointee.next_in = nil
                    stream.pointee.next_out = nil
                }
                return deflate(stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            buffer.removeLast(bound)
            throw TransportError(.backend, "zlib could not deflate an object of \(data.count) bytes (\(status))")
        }
        buffer.removeLast(bound - written)
    }
}
