#!/bin/sh
# Builds HostAppBenchmark in release mode and runs it: the README's host app
# with default options over a bare repository on this machine, apply →
# answer p50, both backends, with the remote watched (the default) and not
# (the 5 s poll main had before the ref watcher). Arguments pass through:
# --rounds N (watched, default 20), --poll-rounds N (not watched, default 6),
# --backends libgit2,cli.
#
#   Benchmarks/run-hostapp.sh        # about a minute; a Markdown table on stdout
#
# Build output goes to stderr. GITER_BENCH_SCRATCH=DIR builds in DIR
# instead of Benchmarks/.build.
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
scratch="${GITER_BENCH_SCRATCH:-$benchmarks/.build}"
# See run.sh: drop a stale build plan after the main package's sources changed.
plan="$scratch/release/description.json"
if [ -f "$plan" ] && [ -n "$(find "$benchmarks/../Sources" -newer "$plan" -print -quit)" ]; then
    rm -f "$plan" "$scratch/release.yaml"
fi
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product HostAppBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)
exec "$bin/HostAppBenchmark" "$@"
