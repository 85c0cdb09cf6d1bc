#!/bin/sh
# Encrypted fields (issue 15, part 3): what sealing and opening one
# x-giter-encrypted value costs, and the envelope's size, for values of
# 32 B, 1 KiB and 64 KiB and 1, 3 and 10 recipients (release build).
# Arguments pass through to EncryptionBenchmark: --runs N (default 5),
# --quick (smoke run).
#
#   Benchmarks/run-encryption.sh --runs 5     # Markdown on stdout, progress on stderr
#
# GITER_BENCH_SCRATCH=DIR builds in DIR instead of Benchmarks/.build.
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
scratch="${GITER_BENCH_SCRATCH:-$benchmarks/.build}"
# See run.sh: drop a stale build plan after the main package's sources changed.
plan="$scratch/release/description.json"
if [ -f "$plan" ] && [ -n "$(find "$benchmarks/../Sources" -newer "$plan" -print -quit)" ]; then
    rm -f "$plan" "$scratch/release.yaml"
fi
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product EncryptionBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)
"$bin/EncryptionBenchmark" "$@"
