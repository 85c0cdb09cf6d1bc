#!/bin/sh
# A branch per exchange (issue 15, part 4): what discovering the set costs.
# Times 'giter branch list' (one listing of the remote's refs, start-up of
# giter included) against a bare repository holding BRANCHES exchange
# branches (default 1000, 5000) plus as many archives, served by git daemon on
# loopback, on both backends; and one guarded push that starts 100 exchange
# branches at once ('giter guard install'), so the guard's cost per new
# branch shows. Runs alternate between backends.
#
#   Benchmarks/run-branches.sh                      # 11 runs each, Markdown table on stdout
#   Benchmarks/run-branches.sh --runs 21 --branches "100 1000 5000"
#
# Build output and progress go to stderr. GITER_BENCH_SCRATCH=DIR builds giter
# in DIR (default Benchmarks/.build); GITER_EXECUTABLE=PATH uses that giter.
set -eu
runs=11
sizes="1000 5000"
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --branches) sizes=$2; shift 2 ;;
    *) echo "run-branches.sh: unknown argument $1 (known: --runs N, --branches \"N ...\")" >&2; exit 2 ;;
    esac
done
package=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${GITER_EXECUTABLE:-}" ]; then
    giter=$GITER_EXECUTABLE
else
    scratch="${GITER_BENCH_SCRATCH:-$package/Benchmarks/.build}"
    swift build -c release --package-path "$package" --scratch-path "$scratch" --product giter 1>&2
    giter="$(swift build -c release --package-path "$package" --scratch-path "$scratch" --show-bin-path)/giter"
fi

base=/tmp
if [ -w /dev/shm ]; then base=/dev/shm; fi
work=$(mktemp -d "$base/giter-branches-bench.XXXXXX")
daemon=
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
unset GIT_DIR GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES 2>/dev/null || true
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@lab.example
export GIT_AUTHOR_NAME=Owner GIT_AUTHOR_EMAIL=owner@lab.example

# A free port on loopback.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$work/served"
git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$work/served" --export-all \
    --enable=receive-pack --informative-errors 2>/dev/null &
daemon=$!
# Ready once it answers at all (an unknown repository is an answer).
i=0
while git ls-remote "git://127.0.0.1:$port/none.git" 2>&1 | grep -q "unable to connect\|Connection refused"; do
    i=$((i + 1))
    if [ $i -ge 200 ]; then echo "run-branches.sh: git daemon did not start" >&2; exit 1; fi
    python3 -c 'import time; time.sleep(0.05)'
done

clone="$work/clone"
git init --quiet -b main "$clone"
mkdir -p "$clone/.giter"
printf 'apiVersion: giter.dev/v1alpha1\nkind: ExchangePolicy\nmetadata:\n  name: exchange\nspec:\n  parties:\n  - name: owners\n    role: admin\n    members:\n    - email: owner@lab.example\n  unknownKinds: allow\n' >"$clone/.giter/policy.yaml"
git -C "$clone" add .giter
git -C "$clone" commit --quiet -m "The contract"
tip=$(git -C "$clone" rev-parse HEAD)

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
now() { python3 -c 'import time; print(int(time.monotonic() * 1e6))'; }

echo "| branches (live + archived) | backend | giter branch list, median ms | listed |"
echo "| --- | --- | --- | --- |"
for size in $sizes; do
    repository="$work/served/x$size.git"
    git init --quiet --bare -b main "$repository"
    git -C "$clone" push --quiet "$repository" main
    i=0
    while [ $i -lt "$size" ]; do
        echo "create refs/heads/giter/x/run-$i $tip"
        echo "create refs/giter/archive/done-$i $tip"
        i=$((i + 1))
    done | git --git-dir "$repository" update-ref --stdin
    for backend in libgit2 git; do
        : >"$work/times-$backend"
    done
    run=0
    while [ $run -lt "$runs" ]; do
        for backend in libgit2 git; do
            start=$(now)
            listed=$("$giter" branch list --remote "git://127.0.0.1:$port/x$size.git" --backend "$backend" \
                --cache "$work/cache-$backend-$size" | wc -l)
            end=$(now)
            echo $(((end - start) / 1000)) >>"$work/times-$backend"
            echo "$listed" >"$work/listed-$backend"
        done
        run=$((run + 1))
    done
    for backend in libgit2 git; do
        echo "| $size + $size | $backend | $(median <"$work/times-$backend") | $(cat "$work/listed-$backend") |"
    done
    echo "measured $size" >&2
done

# One guarded push that starts 100 exchange branches.
echo
echo "| guarded push | guard backend | median ms |"
echo "| --- | --- | --- |"
for backend in libgit2 git; do
    repository="$work/served/guarded-$backend.git"
    git init --quiet --bare -b main "$repository"
    git -C "$clone" push --quiet "$repository" main
    "$giter" guard install --repository "$repository" --backend "$backend" >/dev/null
    : >"$work/push-$backend"
    run=0
    while [ $run -lt "$runs" ]; do
        specs=$(i=0; while [ $i -lt 100 ]; do printf 'HEAD:refs/heads/giter/x/r%s-%s ' "$run" "$i"; i=$((i + 1)); done)
        start=$(now)
        # shellcheck disable=SC2086
        git -C "$clone" push --quiet "git://127.0.0.1:$port/guarded-$backend.git" $specs
        end=$(now)
        echo $(((end - start) / 1000)) >>"$work/push-$backend"
        run=$((run + 1))
    done
    echo "| 100 new exchange branches in one push | $backend | $(median <"$work/push-$backend") |"
done
