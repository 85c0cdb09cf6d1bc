#!/bin/sh
# The cost of a consumer written as a program (issue 14): times one pass of
# 'giter reconcile KIND --exec COMMAND --once' over RESOURCES resources whose
# specs all changed, with a program that prints a small status (sh -c, the
# resource as JSON on standard input, the status as JSON on standard output),
# start-up of giter, the fetch, every run and the status commits included; and
# a pass with nothing to reconcile (start-up, fetch, sync alone). Runs
# alternate with applies that change every spec, which are not timed.
#
#   Benchmarks/run-exec.sh                  # 7 passes, 200 resources, concurrency 4
#   Benchmarks/run-exec.sh --runs 11 --resources 1000 --concurrency 16 --backend git
#
# Build output and progress go to stderr; a Markdown table goes to stdout.
# The repository is made in /dev/shm when it is writable, else /tmp, and
# removed afterwards. GITER_BENCH_SCRATCH=DIR builds giter in DIR (default:
# .build-release at the package root); GITER_EXECUTABLE=PATH uses that giter.
set -eu
runs=7
resources=200
concurrency=4
backend=libgit2
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --resources) resources=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    *) echo "run-exec.sh: unknown argument $1 (known: --runs N, --resources N, --concurrency N, --backend libgit2|git)" >&2; exit 2 ;;
    esac
done
package=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${GITER_EXECUTABLE:-}" ]; then
    giter=$GITER_EXECUTABLE
else
    scratch="${GITER_BENCH_SCRATCH:-$package/.build-release}"
    swift build -c release --package-path "$package" --scratch-path "$scratch" --product giter 1>&2
    giter="$(swift build -c release --package-path "$package" --scratch-path "$scratch" --show-bin-path)/giter"
fi

base=/tmp
if [ -w /dev/shm ]; then base=/dev/shm; fi
work=$(mktemp -d "$base/giter-exec-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
export GITER_REMOTE="$work/exchange.git" GITER_CACHE="$work/cache" GITER_IDENTITY="Bench <bench@lab.example>"
unset GITER_TOKEN GITER_PASSWORD GITER_SIGNING_KEY 2>/dev/null || true

"$giter" init --backend "$backend" >/dev/null
apply_all() {
    i=1
    while [ "$i" -le "$resources" ]; do
        printf 'apiVersion: bench.example/v1\nkind: Job\nmetadata:\n  name: job-%s\nspec:\n  size: %s\n---\n' "$i" "$1"
        i=$((i + 1))
    done >"$work/jobs.yaml"
    "$giter" apply --backend "$backend" -f "$work/jobs.yaml" >/dev/null
}
program='echo "{\"phase\": \"Done\", \"generation\": $GITER_GENERATION}"'
now() { date +%s%N; }

pass_ms=""
idle_ms=""
run=1
while [ "$run" -le "$runs" ]; do
    apply_all "$run"
    before=$(git --git-dir "$GITER_REMOTE" rev-list --count main)
    start=$(now)
    "$giter" reconcile Job --backend "$backend" --once --concurrency "$concurrency" --exec "$program" 2>/dev/null
    end=$(now)
    after=$(git --git-dir "$GITER_REMOTE" rev-list --count main)
    commits=$((after - before))
    pass_ms="$pass_ms $(((end - start) / 1000000))"
    start=$(now)
    "$giter" reconcile Job --backend "$backend" --once --exec "$program" 2>/dev/null
    end=$(now)
    idle_ms="$idle_ms $(((end - start) / 1000000))"
    echo "pass $run: $(((end - start) / 1000000)) ms idle, $commits status commits" >&2
    run=$((run + 1))
done

median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
pass=$(median "$pass_ms")
idle=$(median "$idle_ms")
echo "| backend | resources | concurrency | pass (median of $runs) | per resource | nothing to do | status commits in the last pass |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| $backend | $resources | $concurrency | $pass ms | $(awk "BEGIN { printf \"%.1f\", ($pass - $idle) / $resources }") ms | $idle ms | $commits |"
