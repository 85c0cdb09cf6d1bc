import CBenchmarkSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The resident memory of this process as Linux reports it, for the
/// benchmarks that measure a run's peak memory in a child process.
public enum ProcessMemory {
    /// A reading that cannot be made.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// glibc's `malloc_trim(0)`, looked up at run time (Swift's Glibc module
    /// does not export malloc.h): freed heap is handed back, so it no longer
    /// counts as resident.
    public static func trimHeap() {
        #if os(Linux)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
        #endif
    }

    /// Resets the high-water mark `VmHWM` to the current resident size
    /// (writes "5" to /proc/self/clear_refs).
    public static func resetHighWaterMark() throws {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else {
            throw Unavailable(description: "cannot open /proc/self/clear_refs")
        }
        try handle.write(contentsOf: Data("5".utf8))
        try handle.close()
    }

    /// Bytes of heap in use as the allocator counts them (glibc's
    /// `mallinfo2()`: `uordblks + hblkhd`), or `nil` where it cannot say.
    ///
    /// Unlike resident memory, this falls when heap is freed, even while the
    /// freed pages stay resident, so the difference of two readings is what
    /// was allocated in between and is still alive: the size of a value
    /// made in between, read while the value is kept. Chunks in glibc's
    /// per-thread caches count as in use (at most a few hundred KB).
    public static func heapInUse() -> Int? {
        let bytes = giter_benchmark_heap_in_use()
        return bytes < 0 ? nil : Int(bytes)
    }

    /// A "Vm…: N kB" line of /proc/self/status (`VmHWM`, `VmRSS`), in bytes.
    public static func statusValue(_ key: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 3, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        throw Unavailable(description: "no \(key) in /proc/self/status")
    }

    /// Resident bytes per mapping of this process (`/proc/self/smaps`):
    /// each file by its path, anonymous memory as `[anon]`, `[heap]`,
    /// `[stack]` and the like; the largest first.
    public static func residentByMapping() throws -> [(mapping: String, bytes: Int)] {
        // Read to the end: a file of /proc has no size to read by.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps") else {
            throw Unavailable(description: "cannot open /proc/self/smaps")
        }
        defer { try? handle.close() }
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var totals: [String: Int] = [:]
        var current = "[anon]"
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.contains("-"), fields.count >= 5, !first.hasSuffix(":") {
                current = fields.count >= 6 ? fields[5...].joined(separator: " ") : "[anon]"
            } else if first == "Rss:", fields.count >= 2, let kilobytes = Int(fields[1]) {
                totals[current, default: 0] += kilobytes * 1024
            }
        }
        return totals.map { ($0.key, $0.value) }.sorted { $0.bytes > $1.bytes }
    }
}
