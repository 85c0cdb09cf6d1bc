#!/bin/sh
# Builds ExchangeBenchmark in release mode and runs it. Every argument is
# passed through: --json (results as JSON), --quick (smoke run: 20 round
# trips, 200 resources in bulk), --round-trips N, --naive N, --bulk N,
# --batch N, --bulk-runs N, --backends libgit2,cli, --modes poll,watch,trigger,
# --consumer-poll-ms X, --producer-poll-ms X, --window-ms X,
# --bulk-window-ms X, --bulk-poll-ms X, --concurrency N, --keep,
# --remotes local,daemon,http,ssh (servers on 127.0.0.1, started and stopped
# by the benchmark), --webhooks, --network-round-trips N, --floor-samples N, --floor-slices N,
# --network-poll-ms X, --safety-poll-ms X. The raw libgit2 floor of the
# network section (Baselines/network-floor.c) is built here with cc and
# pkg-config and passed as --floor-helper.
#
#   Benchmarks/run-exchange.sh --modes '' --naive 0 --bulk 0 --remotes daemon,http,ssh --webhooks
#
#   Benchmarks/run-exchange.sh           # full run (a few minutes), Markdown tables on stdout
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
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product ExchangeBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)
if command -v cc >/dev/null 2>&1 && pkg-config --exists libgit2 2>/dev/null; then
    # shellcheck disable=SC2046 # pkg-config prints several words on purpose
    cc -O2 -o "$bin/network-floor" "$benchmarks/Baselines/network-floor.c" $(pkg-config --cflags --libs libgit2) 1>&2
    exec "$bin/ExchangeBenchmark" --floor-helper "$bin/network-floor" "$@"
fi
echo "run-exchange.sh: no cc or libgit2 pkg-config: the network section's libgit2 floor is unavailable" 1>&2
exec "$bin/ExchangeBenchmark" "$@"
