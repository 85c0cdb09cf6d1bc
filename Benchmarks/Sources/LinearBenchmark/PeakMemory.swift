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
///    current resident size, which is read as the baseline, and the heap
///    in use (``ProcessMemory/heapInUse()``) is read;
/// 3. the path runs once more; with its result still alive, the heap in
///    use and `VmHWM` are read again.
///
/// Peak minus baseline is what the run needed at its peak, its result
/// included. `malloc_trim(0)` releases the free pages of the heap, so heap
/// that preparing the input freed is no longer resident, and the run
/// reusing it touches (and counts) its pages again. Pages count when
/// touched: this is memory, not address space. Linux only.
///
/// The child runs with one malloc arena (`MALLOC_ARENA_MAX=1`): glibc's
/// `malloc_trim` gives back the free top of the main arena only, so heap
/// freed into the top of a thread's arena (the runs are async and run on
/// the cooperative pool's threads) stayed resident and hid the run's use
/// of it: with several arenas the peak of decoding the nesting shape was
/// 0.83 MB for a decoded value of 2.8 MB, with one arena 3.4 MB.
///
/// For a run that hands back a value (`decode`), the growth of the heap in
/// use across the run is that value's own heap: the run's temporaries are
/// freed by then, and caches were filled by the warm-up. The allocator's
/// count, not resident memory, since freed pages stay resident (an earlier
/// reading of resident memory after the run saw 0 MB for a 4 MB string).
struct PeakMemory: Codable, Sendable {
    var baselineBytes: Int
    var peakBytes: Int
    /// The heap of the value the run handed back and that was kept alive;
    /// `nil` for a path that hands back nothing.
    var valueBytes: Int?

    var extraBytes: Int { max(0, peakBytes - baselineBytes) }

    /// What the target judges: the extra memory, less the value's own heap
    /// when there is a value (the decoder's working memory; can be below 0
    /// if the peak missed part of the value, which the table then shows).
    var judgedBytes: Int { extraBytes - (valueBytes ?? 0) }
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
        var environment = ProcessInfo.processInfo.environment
        environment["MALLOC_ARENA_MAX"] = "1"
        process.environment = environment
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
        let heapBefore = ProcessMemory.heapInUse()
        let value = try await prepared.run()
        let heapAfter = ProcessMemory.heapInUse()
        let peak = try ProcessMemory.statusValue("VmHWM")
        var valueBytes: Int?
        if value != nil {
            guard let heapBefore, let heapAfter else {
                throw LinearError.setup("no heap counters (glibc mallinfo2) to measure the decoded value with")
            }
            valueBytes = heapAfter - heapBefore
        }
        #else
        let baseline = 0
        let peak = 0
        let value = try await prepared.run()
        let valueBytes: Int? = nil
        #endif
        let json = try JSONEncoder().encode(PeakMemory(baselineBytes: baseline, peakBytes: peak, valueBytes: valueBytes))
        print(String(decoding: json, as: UTF8.self))
        withExtendedLifetime((prepared, value)) {}
    }
}
