import BenchmarkSupport
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
        ProcessMemory.trimHeap()
        try ProcessMemory.resetHighWaterMark()
        let baseline = try ProcessMemory.statusValue("VmHWM")
        try await prepared.run()
        let peak = try ProcessMemory.statusValue("VmHWM")
        #else
        let baseline = 0
        let peak = 0
        try await prepared.run()
        #endif
        let json = try JSONEncoder().encode(PeakMemory(baselineBytes: baseline, peakBytes: peak))
        print(String(decoding: json, as: UTF8.self))
        withExtendedLifetime(prepared) {}
    }
}
