#!/bin/sh
# A consumer of 100,000 resources and a new reader of a long history
# (issue 13): builds ScaleBenchmark in release mode, writes a bare exchange
# with a real contract and N resources of one kind with git fast-import,
# runs a Controller with a trivial reconciler over it (both backends) and
# reports the initial sync (every resource reconciled once; first idle),
# the resident memory after it (VmRSS after malloc_trim, peak VmHWM), and
# the dispatch of one-resource spec changes pushed by a producer store:
# from the end of the fetch that brought each change to the reconciler's
# call (p50/p95). Then writes histories of many one-file commits (a
# producer's spec, the consumer's status, alternately, each allowed by the
# contract) and measures a new reader's first refresh with no check point
# (fetch, then the check of every commit): cost per commit. Arguments are
# passed through:
#
#   Benchmarks/run-scale.sh                                    # 100k resources, 10k and 100k commits
#   Benchmarks/run-scale.sh --resources 10000 --commits 1000 --changes 5   # a quick run
#   Benchmarks/run-scale.sh --parts history --backends libgit2 --runs 3
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
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product ScaleBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)
exec "$bin/ScaleBenchmark" "$@"
