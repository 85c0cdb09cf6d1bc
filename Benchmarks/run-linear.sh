#!/bin/sh
# Work linear in the input (issue 12): builds LinearBenchmark in release mode
# and runs every reader and writer path (parse-yaml, parse-json, decode,
# encode, splice, contract, contract-status) over every input shape
# (block-keys, flow-keys, sequence, string, block-scalar, documents,
# nest-block, nest-flow, files) at 10 KB, 40 KB, 160 KB, 640 KB, 2.5 MB and
# 4 MB. It prints the load average, a table of time per byte (medians) and
# peak memory (and, for decode, the decoded value's own heap), and one
# PASS/FAIL line per path × shape; it exits 1 when a target fails (time per
# byte grows more than 2× from the smallest to the largest size, or a peak
# needs 3× the input plus 1 MiB or more; for decode, the peak less the
# decoded value). Arguments are passed through:
#
#   Benchmarks/run-linear.sh                      # full run (several minutes)
#   Benchmarks/run-linear.sh --quick              # smoke run: 3 sizes, few runs
#   Benchmarks/run-linear.sh --paths splice --shapes block-keys,files --no-peak
#
# Build output and progress go to stderr, so stdout holds only the results.
# GITER_BENCH_SCRATCH=DIR builds in DIR instead of Benchmarks/.build.
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
scratch="${GITER_BENCH_SCRATCH:-$benchmarks/.build}"
# See run.sh: drop a stale build plan after the main package's sources changed.
plan="$scratch/release/description.json"
if [ -f "$plan" ] && [ -n "$(find "$benchmarks/../Sources" -newer "$plan" -print -quit)" ]; then
    rm -f "$plan" "$scratch/release.yaml"
fi
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product LinearBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)
exec "$bin/LinearBenchmark" "$@"
