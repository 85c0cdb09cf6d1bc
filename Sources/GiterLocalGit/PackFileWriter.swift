import CZlib
import Crypto
package import Giter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The type of an object in a pack, by its number there.
package enum PackObjectType: UInt8, Sendable {
    case commit = 1
    case tree = 2
    case blob = 3
    case tag = 4

    /// The type as Git names it in an object's header (`blob 12\0`).
    package init?(name: String) {
        switch name {
        case "commit": self = .commit
        case "tree": self = .tree
        case "blob": self = .blob
        case "tag": self = .tag
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .commit: "commit"
        case .tree: "tree"
        case .blob: "blob"
        case .tag: "tag"
        }
    }
}

/// Writes one pack of whole objects (no deltas) and its version-2 index
/// into a staging folder of a repository on this machine, without Git:
/// what the git CLI backend uses where `git hash-object` would cost a
/// scratch file and a loose object per object (issue 13).
///
/// Each object is named here, as Git names it (SHA-1 of `type size\0` and
/// its bytes), so a caller that knows the name an object should have
/// compares it with ``append(_:_:)``'s answer and gives up on a mismatch.
/// Objects are stored or deflated by their size (``Deflater``); the pack
/// ends with the SHA-1 of its bytes, and the index lists the names in
/// order with each object's CRC-32 and offset
/// (`gitformat-pack(5)`). ``finish(durably:)`` moves both into
/// `objects/pack` the way ``LocalRepository/installPack(_:from:durably:)``
/// does (pack first, index last). Until then Git sees nothing of it; a
/// writer that is dropped unfinished removes its staging folder.
///
/// SHA-1 repositories only: the caller checks that the object names it
/// handles are 40 hexadecimal digits.
package final class PackFileWriter {
    private let repository: LocalRepository
    private let staging: String
    private let expected: Int
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var offset: UInt64 = 0
    private var hasher = Insecure.SHA1()
    private let deflater: Deflater
    private var entries: [(name: [UInt8], crc: UInt32, offset: UInt64)] = []
    private var finished = false

    /// The most bytes held before they are written to the pack file.
    private static let chunk = 1 << 20

    /// Starts a pack of exactly `objectCount` objects in a new staging folder of `repository`.
    package init(into repository: LocalRepository, objectCount: Int) throws(TransportError) {
        guard objectCount > 0, objectCount <= Int(UInt32.max) else {
            throw TransportError(.invalidArgument, "a pack holds 1 to 2^32 - 1 objects, not \(objectCount)")
        }
        self.repository = repository
        expected = objectCount
        deflater = try Deflater()
        staging = try repository.makePackStagingFolder()
        descriptor = open(staging + "/tmp.pack", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else {
            Platform.removeFolder(staging)
            throw TransportError(.backend, "cannot create a pack file in \(staging)")
        }
        entries.reserveCapacity(objectCount)
        buffer.reserveCapacity(Self.chunk + 64 * 1024)
        buffer += Array("PACK".utf8)
        PackEncoding.appendBigEndian(2, to: &buffer)
        PackEncoding.appendBigEndian(UInt32(objectCount), to: &buffer)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !finished { Platform.removeFolder(staging) }
    }

    /// Appends an object; returns the name Git gives it.
    @discardableResult
    package func append(_ type: PackObjectType, _ contents: [UInt8]) throws(TransportError) -> ObjectID {
        try contents.withUnsafeBytes { data in
            Result { () throws(TransportError) in try append(type, data) }
        }.get()
    }

    /// Appends an object held in `contents`; returns the name Git gives it.
    @discardableResult
    package func append(_ type: PackObjectType, _ contents: UnsafeRawBufferPointer) throws(TransportError) -> ObjectID {
        guard entries.count < expected else {
            throw TransportError(.invalidArgument, "a pack of \(expected) objects was given one more")
        }
        let digest = Self.digest(of: type, contents)
        let start = buffer.count
        PackEncoding.appendHeader(type: type.rawValue, size: contents.count, to: &buffer)
        try deflater.append(contents, to: &buffer)
        let crc = buffer[start...].withUnsafeBytes { bytes in
            UInt32(crc32(0, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
        }
        entries.append((digest, crc, offset + UInt64(start)))
        if buffer.count >= Self.chunk { try flush() }
        return ObjectID(lowercaseHex: digest.hexString)
    }

    /// The name Git gives an object of `type` holding `contents`.
    package static func name(of type: PackObjectType, _ contents: [UInt8]) -> ObjectID {
        contents.withUnsafeBytes { ObjectID(lowercaseHex: digest(of: type, $0).hexString) }
    }

    private static func digest(of type: PackObjectType, _ contents: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("\(type.name) \(contents.count)\0".utf8))
        hasher.update(bufferPointer: contents)
        return Array(hasher.finalize())
    }

    /// Ends the pack, writes its index and moves both into `objects/pack`
    /// (fsynced first, and the folder after, when `durably`); returns the
    /// pack's name (`pack-<checksum>`, as its two files are named).
    @discardableResult
    package func finish(durably: Bool) throws(TransportError) -> String {
        guard entries.count == expected else {
            throw TransportError(.invalidArgument, "a pack of \(expected) objects was given \(entries.count)")
        }
        try flush()
        let checksum = Array(hasher.finalize())
        buffer = checksum
        try write(buffer)
        buffer = []
        close(descriptor)
        descriptor = -1

        let name = "pack-" + checksum.hexString
        try Self.writeFile(index(checksum: checksum), at: staging + "/tmp.idx")
        guard try Platform.move(staging + "/tmp.pack", to: staging + "/" + name + ".pack"),
            try Platform.move(staging + "/tmp.idx", to: staging + "/" + name + ".idx")
        else { throw TransportError(.backend, "the pack written in \(staging) is gone") }
        finished = true
        try repository.installPack(name, from: staging, durably: durably)
        return name
    }

    /// The version-2 index: names in order with a fan-out table before
    /// them, then each one's CRC-32 and offset (offsets from 2 GiB on in a
    /// table of 8-byte ones), the pack's checksum and the index's own.
    private func index(checksum: [UInt8]) -> [UInt8] {
        let sorted = entries.sorted { $0.name.lexicographicallyPrecedes($1.name) }
        var bytes: [UInt8] = [0xFF, 0x74, 0x4F, 0x63]
        bytes.reserveCapacity(8 + 1024 + sorted.count * 28 + 40)
        PackEncoding.appendBigEndian(2, to: &bytes)
        var fanout = [UInt32](repeating: 0, count: 256)
        for entry in sorted { fanout[Int(entry.name[0])] += 1 }
        var running: UInt32 = 0
        for count in fanout {
            running += count
            PackEncoding.appendBigEndian(running, to: &bytes)
        }
        for entry in sorted { bytes += entry.name }
        for entry in sorted { PackEncoding.appendBigEndian(entry.crc, to: &bytes) }
        var large: [UInt64] = []
        for entry in sorted {
            if entry.offset < 1 << 31 {
                PackEncoding.appendBigEndian(UInt32(entry.offset), to: &bytes)
            } else {
                PackEncoding.appendBigEndian(UInt32(large.count) | 1 << 31, to: &bytes)
                large.append(entry.offset)
            }
        }
        for value in large {
            PackEncoding.appendBigEndian(UInt32(value >> 32), to: &bytes)
            PackEncoding.appendBigEndian(UInt32(value & 0xFFFF_FFFF), to: &bytes)
        }
        bytes += checksum
        bytes += Array(Insecure.SHA1.hash(data: bytes))
        return bytes
    }

    private func flush() throws(TransportError) {
        hasher.update(data: buffer)
        try write(buffer)
        offset += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8]) throws(TransportError) {
        guard Self.write(bytes, to: descriptor) else {
            throw TransportError(.backend, "cannot write the pack in \(staging)")
        }
    }

    /// Writes `bytes` into a new file at `path` (read-only, not fsynced).
    package static func writeFile(_ bytes: [UInt8], at path: String) throws(TransportError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else { throw TransportError(.backend, "cannot create \(path)") }
        defer { close(descriptor) }
        guard write(bytes, to: descriptor) else { throw TransportError(.backend, "cannot write \(path)") }
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            var done = 0
            while done < raw.count {
                #if canImport(Glibc)
                let count = Glibc.write(descriptor, base + done, raw.count - done)
                #else
                let count = Darwin.write(descriptor, base + done, raw.count - done)
                #endif
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                done += count
            }
            return true
        }
    }
}

extension [UInt8] {
    /// The bytes as lowercase hexadecimal digits.
    fileprivate var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
