import Giter
import Testing

@Suite("Memory settings")
struct MemorySettingsTests {
    @Test func largeBlocksAreHandedBackOnGlibcOnly() {
        #expect(!MemorySettings.returnLargeBlocksToTheSystem(atLeast: 1024), "below 4 KiB: refused")
        #expect(!MemorySettings.returnLargeBlocksToTheSystem(atLeast: 64 * 1024 * 1024), "above 32 MiB: refused")
        #if os(Linux) && canImport(Glibc)
        // Set to glibc's own starting value, so that the rest of this test process is not changed much.
        #expect(MemorySettings.returnLargeBlocksToTheSystem(atLeast: 128 * 1024), "glibc takes the setting")
        #else
        #expect(!MemorySettings.returnLargeBlocksToTheSystem(), "no glibc: nothing set")
        #endif
    }
}
