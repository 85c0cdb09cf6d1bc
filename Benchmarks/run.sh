#!/bin/sh
# Builds CodecBenchmark in release mode and runs it. Every argument is passed
# through: --json (results as JSON), --quick (smoke run), --no-peak, --filter S.
#
#   Benchmarks/run.sh            # full run, Markdown tables on stdout
#   Benchmarks/run.sh --json     # the same results as JSON
#
# GITER_BENCH_SCRATCH=DIR builds in DIR instead of Benchmarks/.build (for
# example to build while another build of this package runs).
#
# Build output and progress go to stderr, so stdout holds only the results.
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
# SwiftPM keeps its build plan when a file is added to a path dependency (the
# main package), then fails with "cannot find ... in scope": drop the plan
# whenever the main package's sources changed since it was made.
scratch=${GITER_BENCH_SCRATCH:-$benchmarks/.build}
plan="$scratch/release/description.json"
if [ -f "$plan" ] && [ -n "$(find "$benchmarks/../Sources" -newer "$plan" -print -quit)" ]; then
    rm -f "$plan" "$scratch/release.yaml"
fi
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product CodecBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)
exec "$bin/CodecBenchmark" "$@"
