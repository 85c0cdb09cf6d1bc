import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Extra resident memory of one run of a path, measured in a child process
/// (this executable with `--measure-peak PATH SHAPE BYTES`), so no other
/// case's heap hides or inflates it:
///
/// 1. the child runs the path on the smallest input (lazy runtime metadata,
///    caches) and prepares the measured input, without running on it (the
///    parent ran and checked it: heap freed by such a run could stay
///    resident and hide the measured run's memory);
/// 2. `malloc_trim(0)` hands freed heap back, writing "5" to
///    /proc/self/clear_refs resets the high-water mark `VmHWM` to the
///    current resident size, which is read as the baseline;
/// 3. the path runs once more and `VmHWM` is read again.
///
/// Peak minus baseline is what the run needed at its peak, its result
/// included. `malloc_trim(0)` releases the free pages of every arena, so
/// heap that preparing the input freed is no longer resident, and the run
/// reusing it touches (and counts) its pages again. Pages count when
/// touched: this is memory, not address space. Linux only.
struct PeakMemory: Codable, Sendable {
    var baselineBytes: Int
    var peakBytes: Int
    var extraBytes: Int { max(0, peakBytes - baselineBytes) }
}

enum PeakMemoryProbe {
    static let flag = "--measure-peak"

    static var isSupported: Bool {
        #if os(Linux)
        FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs")
        #else
        false
        #endif
    }

    /// Parent side: runs the child and reads its one line of JSON.
    static func measure(_ path: LinearPath, _ shape: Shape, targetBytes: Int) throws -> PeakMemory {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [flag, path.rawValue, shape.rawValue, String(targetBytes)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LinearError.check(
                "peak-memory child \(path.rawValue) \(shape.rawValue) \(targetBytes): exit \(process.terminationStatus): \(errorText)")
        }
        return try JSONDecoder().decode(PeakMemory.self, from: data)
    }

    /// Child side: measures and prints one line of JSON.
    static func runChild(_ path: LinearPath, _ shape: Shape, targetBytes: Int, warmupBytes: Int) async throws {
        _ = try await path.prepare(shape, targetBytes: warmupBytes)
        let prepared = try await path.prepare(shape, targetBytes: targetBytes, check: false)
        #if os(Linux)
        trimHeap()
        try resetHighWaterMark()
        let baseline = try statusValue("VmHWM")
        try await prepared.run()
        let peak = try statusValue("VmHWM")
        #else
        let baseline = 0
        let peak = 0
        try await prepared.run()
        #endif
        let json = try JSONEncoder().encode(PeakMemory(baselineBytes: baseline, peakBytes: peak))
        print(String(decoding: json, as: UTF8.self))
        withExtendedLifetime(prepared) {}
    }

    /// glibc's `malloc_trim(0)`, looked up at run time (Swift's Glibc module does not export malloc.h).
    private static func trimHeap() {
        #if os(Linux)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
        #endif
    }

    private static func resetHighWaterMark() throws {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else {
            throw LinearError.setup("cannot open /proc/self/clear_refs")
        }
        try handle.write(contentsOf: Data("5".utf8))
        try handle.close()
    }

    /// A "Vm…: N kB" line of /proc/self/status, in bytes.
    private static func statusValue(_ key: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 3, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        throw LinearError.setup("no \(key) in /proc/self/status")
    }
}
