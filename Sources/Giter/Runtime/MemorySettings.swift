#if canImport(Glibc)
import Glibc
#endif

/// Settings of the memory allocator of the process a consumer runs in.
///
/// Giter never changes the allocator on its own: the process is the host
/// app's. A consumer of a large exchange may opt in.
public enum MemorySettings {
    /// Has glibc's allocator serve each block of at least `bytes` from a
    /// mapping of its own, handed back to the system when the block is
    /// freed (glibc's `M_MMAP_THRESHOLD`, set with `mallopt`; the same as
    /// `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=<bytes>`).
    ///
    /// By default glibc raises that threshold each time it frees such a
    /// block, up to 32 MiB, so a large sync's big transient arrays and
    /// tables end up inside the heap, and the small values that outlive them
    /// keep its pages resident. After the first sync of 100,000 resources
    /// this setting (128 KiB) gave 116 MB resident against 143 and 178 MB
    /// without it in the scale benchmark (see `Documentation/Performance.md`).
    ///
    /// Call it once, at the start of the process, before the work it is
    /// for. It applies to the whole process.
    ///
    /// - Parameter bytes: the threshold, from 4 KiB to 32 MiB.
    /// - Returns: whether it was set: `false` outside glibc (macOS, musl)
    ///   or for a size outside the range.
    @discardableResult
    public static func returnLargeBlocksToTheSystem(atLeast bytes: Int = 128 * 1024) -> Bool {
        guard (4 * 1024...32 * 1024 * 1024).contains(bytes) else { return false }
        #if canImport(Glibc)
        // Swift's Glibc module does not export malloc.h: looked up at run time.
        typealias SetOption = @convention(c) (Int32, Int32) -> Int32
        // Only glibc has gnu_get_libc_version; musl's mallopt accepts and ignores the option.
        let process = UnsafeMutableRawPointer(bitPattern: 0)
        guard dlsym(process, "gnu_get_libc_version") != nil, let symbol = dlsym(process, "mallopt") else { return false }
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in glibc's malloc.h
        return unsafeBitCast(symbol, to: SetOption.self)(mmapThreshold, Int32(bytes)) == 1
        #else
        return false
        #endif
    }
}
