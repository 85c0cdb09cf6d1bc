#include "CLibFuzzer.h"

#include <stdio.h>
#include <stdlib.h>

// compiler-rt FuzzerDriver.cpp; defined in libclang_rt.fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

static GiterFuzzTarget registeredTarget = NULL;

// libFuzzer's conventional entry point. `-sanitize=fuzzer` links libFuzzer's
// `main` object, which refers to it, even though the program's `main` is the
// Swift target's; it runs the target given to giter_run_libfuzzer.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (registeredTarget == NULL) {
        fputs("giter fuzz: no harness registered; start the program through runLibFuzzer\n", stderr);
        abort();
    }
    return registeredTarget(data, size);
}

void giter_run_libfuzzer(int argc, char **argv, GiterFuzzTarget target) {
    registeredTarget = target;
    exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput));
}
