#!/bin/sh
# The soak (Documentation/Reliability.md, "Soak"): producers and consumers
# over real Git servers on loopback, killed with SIGKILL mid-fetch,
# mid-commit and mid-push, their servers restarted, their connections cut;
# then a check of the final history.
#
#   Benchmarks/soak.sh [--duration SECONDS] [--servers daemon,http,ssh] [--backends libgit2,git] [giter-soak run options]
#
# Defaults: 60 seconds, git daemon, both backends. Builds giter-soak (release)
# from the main package, then runs it; exits with its status (1 unless
# lost 0, violations 0, converged yes).
set -eu
cd "$(dirname "$0")/.."

duration=60
servers=daemon
backends=libgit2,git
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --servers) servers="$2"; shift 2 ;;
        --backends) backends="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) break ;;
    esac
done

swift build -c release --product giter-soak >&2
bin="$(swift build -c release --show-bin-path)"
exec "$bin/giter-soak" run --duration "$duration" --servers "$servers" --backends "$backends" "$@"
