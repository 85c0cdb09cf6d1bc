#!/bin/sh
# Builds TransportBenchmark in release mode and the raw C libgit2 baseline
# (Baselines/libgit2-baseline.c, with cc and pkg-config), then runs the
# benchmark. Every argument is passed through: --quick (smoke run),
# --cycles N, --script-cycles N, --polls N, --runs N, --sizes 10000,100000, --keep.
#
#   Benchmarks/run-transport.sh          # full run (a few minutes), Markdown tables on stdout
#
# Build output and progress go to stderr, so stdout holds only the results.
# Repositories are made in /dev/shm when it is writable, else /tmp.
# GITER_BENCH_SCRATCH=DIR builds in DIR instead of Benchmarks/.build (so that
# two benchmark builds can run side by side).
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
scratch="${GITER_BENCH_SCRATCH:-$benchmarks/.build}"
# See run.sh: drop a stale build plan after the main package's sources changed.
plan="$scratch/release/description.json"
if [ -f "$plan" ] && [ -n "$(find "$benchmarks/../Sources" -newer "$plan" -print -quit)" ]; then
    rm -f "$plan" "$scratch/release.yaml"
fi
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product TransportBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)
baseline=""
if command -v cc >/dev/null 2>&1 && pkg-config --exists libgit2 2>/dev/null; then
    baseline="$bin/libgit2-baseline"
    # shellcheck disable=SC2046 # pkg-config prints several words on purpose
    cc -O2 -o "$baseline" "$benchmarks/Baselines/libgit2-baseline.c" $(pkg-config --cflags --libs libgit2) 1>&2
else
    echo "run-transport.sh: no cc or libgit2 pkg-config: raw C baseline skipped" 1>&2
fi
if [ -n "$baseline" ]; then
    exec "$bin/TransportBenchmark" --baseline "$baseline" "$@"
fi
exec "$bin/TransportBenchmark" "$@"
