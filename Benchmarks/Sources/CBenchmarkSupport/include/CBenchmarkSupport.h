#ifndef C_BENCHMARK_SUPPORT_H
#define C_BENCHMARK_SUPPORT_H

/// Bytes of heap in use as glibc's allocator counts them: `mallinfo2()`'s
/// `uordblks` (chunks in use in every arena) plus `hblkhd` (chunks mapped on
/// their own), or -1 where there is no `mallinfo2` (not glibc, or glibc
/// before 2.33). Swift's Glibc module does not export malloc.h, hence C.
long long giter_benchmark_heap_in_use(void);

#endif
