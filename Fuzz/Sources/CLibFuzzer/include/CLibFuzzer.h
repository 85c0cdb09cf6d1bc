#ifndef C_LIB_FUZZER_H
#define C_LIB_FUZZER_H

#include <stddef.h>
#include <stdint.h>

/// A libFuzzer target: returns 0 for every input.
typedef int (*GiterFuzzTarget)(const uint8_t *data, size_t size);

/// Runs libFuzzer's driver (`LLVMFuzzerRunDriver`, linked by
/// `-sanitize=fuzzer`) on `target` with libFuzzer's flags from `argv`, and
/// exits the process with its status.
_Noreturn void giter_run_libfuzzer(int argc, char **argv, GiterFuzzTarget target);

#endif
