#!/bin/sh
# The server guard's cost per push (issue 10): times `git push` of one commit
# into a local bare repository with the guard installed ('giter guard
# install', release build) and without it — the same repository, the hook
# installed and removed between runs, which alternate — start-up of git,
# receive-pack and giter included. The repository holds a policy, a CRD and
# RESOURCES resources (default 200); each run pushes one producer commit
# that changes one resource's spec.
#
#   Benchmarks/run-guard.sh                 # 21 runs each, Markdown table on stdout
#   Benchmarks/run-guard.sh --runs 51 --resources 1000 --backend git
#
# Build output and progress go to stderr. The repository is made in /dev/shm
# when it is writable, else /tmp, and removed afterwards. GITER_BENCH_SCRATCH=DIR
# builds giter in DIR instead of .build-release at the package root;
# GITER_EXECUTABLE=PATH uses that giter and builds nothing.
set -eu
runs=21
resources=200
backend=libgit2
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --resources) resources=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    *) echo "run-guard.sh: unknown argument $1 (known: --runs N, --resources N, --backend libgit2|git)" >&2; exit 2 ;;
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
work=$(mktemp -d "$base/giter-guard-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# An isolated git: no system or user configuration.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
unset GIT_DIR GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES 2>/dev/null || true
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@lab.example

repository="$work/exchange.git"
clone="$work/clone"
git init --quiet --bare -b main "$repository"
git init --quiet -b main "$clone"
git -C "$clone" remote add origin "$repository"

mkdir -p "$clone/.giter/crds"
cat >"$clone/.giter/policy.yaml" <<'EOF'
apiVersion: giter.dev/v1alpha1
kind: ExchangePolicy
metadata:
  name: exchange
spec:
  parties:
  - name: lab
    role: producer
    namespaces: ["lab"]
    kinds: ["Experiment"]
    members:
    - email: alice@lab.example
  - name: testbed
    role: consumer
    namespaces: ["lab"]
    kinds: ["Experiment"]
    members:
    - email: runner@testbed.example
  - name: owners
    role: admin
    members:
    - email: owner@lab.example
  unknownKinds: reject
EOF
cat >"$clone/.giter/crds/experiment.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: experiments.lab.example
spec:
  group: lab.example
  names:
    kind: Experiment
    plural: experiments
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [image, replicas]
            properties:
              image: {type: string, pattern: '^[a-z0-9./:-]+$'}
              replicas: {type: integer, minimum: 0, maximum: 100}
              args: {type: array, items: {type: string}}
          status:
            type: object
            properties:
              phase: {type: string, enum: [Pending, Running, Done]}
EOF
# Where giter keeps a resource: resources/<namespace>/<kind>/<bucket>/<name>.yaml,
# <bucket> the low byte of the 32-bit FNV-1a hash of the name (ResourceKey.bucket).
bucket() {
    h=2166136261
    s=$1
    while [ -n "$s" ]; do
        c=${s%"${s#?}"}
        s=${s#?}
        h=$(((h ^ $(printf '%d' "'$c")) * 16777619 & 4294967295))
    done
    printf '%02x' $((h & 255))
}
experiment() { # name image
    printf 'apiVersion: lab.example/v1\nkind: Experiment\nmetadata:\n  name: %s\n  namespace: lab\nspec:\n  image: %s\n  replicas: 2\n  args: ["--seed", "%s"]\n' "$1" "$2" "$1"
}
git -C "$clone" add .giter
GIT_AUTHOR_NAME=Owner GIT_AUTHOR_EMAIL=owner@lab.example git -C "$clone" commit --quiet -m "The contract"
i=0
while [ $i -lt "$resources" ]; do
    folder="$clone/resources/lab/Experiment/$(bucket "run-$i")"
    mkdir -p "$folder"
    experiment "run-$i" "lab/runner:1" >"$folder/run-$i.yaml"
    i=$((i + 1))
done
git -C "$clone" add resources
GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@lab.example git -C "$clone" commit --quiet -m "$resources experiments"
git -C "$clone" push --quiet origin main

# One run: a producer commit changing one resource's image, pushed; prints milliseconds.
target=$(git -C "$clone" ls-files 'resources/*' | head -n 1)
run=0
push_once() {
    run=$((run + 1))
    sed -i "s|^  image: .*|  image: lab/runner:v$run|" "$clone/$target"
    GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@lab.example git -C "$clone" commit --quiet -am "Run $run"
    start=$(date +%s%N)
    git -C "$clone" push --quiet origin main 2>"$work/push.err" || {
        echo "run-guard.sh: push $run failed:" >&2; cat "$work/push.err" >&2; exit 1
    }
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
}
hook="$repository/hooks/pre-receive"
: >"$work/with"
: >"$work/without"
push_once >/dev/null # warm the page cache
i=0
while [ $i -lt "$runs" ]; do
    "$giter" guard install --repository "$repository" --backend "$backend" >/dev/null
    push_once >>"$work/with"
    rm -f "$hook"
    push_once >>"$work/without"
    i=$((i + 1))
done
load=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }
minimum() { sort -n "$1" | head -n 1 | awk '{ printf "%.1f", $1 / 1000 }'; }
with=$(median "$work/with")
without=$(median "$work/without")
added=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1f", a - b }')
echo "| push of one commit ($resources resources, backend $backend, $runs runs each) | median ms | min ms |"
echo "|---|---:|---:|"
echo "| without the guard | $without | $(minimum "$work/without") |"
echo "| with the guard | $with | $(minimum "$work/with") |"
echo "| added by the guard (medians) | $added | |"
echo
echo "Load average (1, 5, 15 min) at the end: $load; $(nproc 2>/dev/null || echo '?') cores."
