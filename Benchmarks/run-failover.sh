#!/bin/sh
# Failover of the example consumer (issue 13): builds the example
# executables (release) and runs Benchmarks/failover.py on each backend.
# Arguments after the script name go to failover.py (--runs N,
# --lease-duration S, --poll S); GITER_FAILOVER_DEBUG=1 uses the debug
# build of the main package instead of building a release one.
#
#   Benchmarks/run-failover.sh --runs 5
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
package="$benchmarks/.."
if [ "${GITER_FAILOVER_DEBUG:-0}" = 1 ]; then
    bin=$(swift build --package-path "$package" --show-bin-path)
else
    swift build -c release --package-path "$package" --product experiment-consumer 1>&2
    swift build -c release --package-path "$package" --product experiment-producer 1>&2
    bin=$(swift build -c release --package-path "$package" --show-bin-path)
fi
echo "| backend | lease | runs | SIGKILL → lease taken, median (min–max) | SIGKILL → first reconcile done |"
echo "|---|---|---|---|---|"
for backend in libgit2 git; do
    python3 "$benchmarks/failover.py" "$bin" --backend "$backend" "$@"
done
