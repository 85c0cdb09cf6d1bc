#!/bin/sh
# Builds CodecBenchmark in release mode and runs it. Every argument is passed
# through: --json (results as JSON), --quick (smoke run), --no-peak, --filter S.
#
#   Benchmarks/run.sh            # full run, Markdown tables on stdout
#   Benchmarks/run.sh --json     # the same results as JSON
#
# Build output and progress go to stderr, so stdout holds only the results.
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
# SwiftPM keeps its build plan when a file is added to a path dependency (the
# main package), then fails with "cannot find ... in scope": drop the plan
# whenever the main package's sources changed since it was made.
plan="$benchmarks/.build/release/description.json"
if [ -f "$plan" ] && [ -n "$(find "$benchmarks/../Sources" -newer "$plan" -print -quit)" ]; then
    rm -f "$plan" "$benchmarks/.build/release.yaml"
fi
swift build -c release --package-path "$benchmarks" --product CodecBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --show-bin-path)
exec "$bin/CodecBenchmark" "$@"
