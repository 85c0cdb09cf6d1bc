#!/bin/sh
# Reads at scale (issue 13): times `giter get KIND NAME` (one resource by
# name) and `giter get KIND -l group=g5` (label selection) on exchanges of
# 10, 10,000 and 100,000 resources, with a warm mirror (one `giter get`
# before the runs), on both backends. Release build; start-up of giter
# included. With GITER_BASELINE_EXECUTABLE=PATH (a giter built from another
# commit) the baseline runs too, interleaved with the new one, and the table
# shows both side by side.
#
#   Benchmarks/run-reads.sh                          # 7 runs each, Markdown table on stdout
#   Benchmarks/run-reads.sh --runs 11 --sizes "10 100000" --backends git
#   GITER_BASELINE_EXECUTABLE=/path/to/old/giter Benchmarks/run-reads.sh
#
# Each exchange is written with `git fast-import` (a contract commit by the
# exchange's owner: policy and CRD; then one producer commit with every
# resource, labelled group=g<i mod 1000>), into /dev/shm when it is
# writable, else /tmp, and removed afterwards. Build output and progress go
# to stderr. GITER_BENCH_SCRATCH=DIR builds giter in DIR instead of
# .build-release at the package root; GITER_EXECUTABLE=PATH uses that giter
# and builds nothing.
set -eu
runs=7
sizes="10 10000 100000"
backends="libgit2 git"
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --backends) backends=$2; shift 2 ;;
    *) echo "run-reads.sh: unknown argument $1 (known: --runs N, --sizes \"N...\", --backends \"libgit2 git\")" >&2; exit 2 ;;
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
baseline=${GITER_BASELINE_EXECUTABLE:-}

base=/tmp
if [ -w /dev/shm ]; then base=/dev/shm; fi
work=$(mktemp -d "$base/giter-reads-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# An isolated git: no system or user configuration.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
unset GIT_DIR GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES 2>/dev/null || true
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@lab.example
export GITER_IDENTITY="Alice <alice@lab.example>"

# The fast-import stream of an exchange of $1 resources.
exchange_stream() {
    python3 - "$1" <<'EOF'
import sys
count = int(sys.argv[1])
out = sys.stdout.buffer
def blob(data):
    out.write(b"data %d\n" % len(data) + data + b"\n")
def bucket(name):
    h = 2166136261
    for byte in name.encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return "%02x" % (h & 0xFF)
policy = b"""apiVersion: giter.dev/v1alpha1
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
"""
crd = b"""apiVersion: apiextensions.k8s.io/v1
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
              image: {type: string}
              replicas: {type: integer, minimum: 0, maximum: 100}
          status:
            type: object
"""
out.write(b"commit refs/heads/main\nmark :1\n")
out.write(b"author Owner <owner@lab.example> 1700000000 +0000\ncommitter Owner <owner@lab.example> 1700000000 +0000\n")
blob(b"The contract\n")
out.write(b"M 100644 inline .giter/policy.yaml\n")
blob(policy)
out.write(b"M 100644 inline .giter/crds/experiment.yaml\n")
blob(crd)
out.write(b"\ncommit refs/heads/main\nmark :2\n")
out.write(b"author Alice <alice@lab.example> 1700000100 +0000\ncommitter Alice <alice@lab.example> 1700000100 +0000\n")
blob(b"%d experiments\n" % count)
out.write(b"from :1\n")
for i in range(count):
    name = "run-%d" % i
    text = ("apiVersion: lab.example/v1\nkind: Experiment\nmetadata:\n  name: %s\n  namespace: lab\n"
            "  generation: 1\n  labels:\n    group: g%d\nspec:\n  image: lab/runner:1\n  replicas: 2\n") % (name, i % 1000)
    out.write(("M 100644 inline resources/lab/Experiment/%s/%s.yaml\n" % (bucket(name), name)).encode())
    blob(text.encode())
out.write(b"\n")
EOF
}

# Milliseconds one command takes (its output to /dev/null; a failure stops the benchmark).
time_ms() {
    start=$(date +%s%N)
    "$@" >/dev/null 2>"$work/err" || { echo "run-reads.sh: failed: $*" >&2; cat "$work/err" >&2; exit 1; }
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }

# "new" is GITER_EXECUTABLE (or the build of this package), "old" the baseline.
binaries="new"
if [ -n "$baseline" ]; then binaries="old new"; fi
executable() { if [ "$1" = old ]; then echo "$baseline"; else echo "$giter"; fi; }

for size in $sizes; do
    repository="$work/exchange-$size.git"
    git init --quiet --bare -b main "$repository"
    exchange_stream "$size" | git -C "$repository" fast-import --quiet
    echo "run-reads.sh: exchange of $size resources written" >&2
    for backend in $backends; do
        for which in $binaries; do
            exe=$(executable "$which")
            cache="$work/cache-$size-$backend-$which"
            # Warm the mirror: fetch, check the history, save the check point (and the index).
            "$exe" get Experiment run-5 -n lab --remote "$repository" --cache "$cache" --backend "$backend" >/dev/null
            "$exe" get Experiment -n lab -l group=g5 -o name --remote "$repository" --cache "$cache" --backend "$backend" >/dev/null
            : >"$work/get-$size-$backend-$which"
            : >"$work/select-$size-$backend-$which"
        done
        i=0
        while [ $i -lt "$runs" ]; do
            for which in $binaries; do
                exe=$(executable "$which")
                cache="$work/cache-$size-$backend-$which"
                time_ms "$exe" get Experiment run-5 -n lab --remote "$repository" --cache "$cache" --backend "$backend" \
                    >>"$work/get-$size-$backend-$which"
                time_ms "$exe" get Experiment -n lab -l group=g5 -o name --remote "$repository" --cache "$cache" \
                    --backend "$backend" >>"$work/select-$size-$backend-$which"
            done
            i=$((i + 1))
        done
        echo "run-reads.sh: $size resources, $backend: done" >&2
    done
done

load=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "| resources | backend | build | get KIND NAME p50 ms | get KIND -l group=g5 p50 ms |"
echo "|---:|---|---|---:|---:|"
for size in $sizes; do
    for backend in $backends; do
        for which in $binaries; do
            echo "| $size | $backend | $which | $(median "$work/get-$size-$backend-$which") | $(median "$work/select-$size-$backend-$which") |"
        done
    done
done
first=${sizes%% *}
last=${sizes##* }
if [ "$first" != "$last" ]; then
    echo
    echo "| ratio $last / $first | backend | build | get KIND NAME | get KIND -l |"
    echo "|---|---|---|---:|---:|"
    for backend in $backends; do
        for which in $binaries; do
            g=$(awk -v a="$(median "$work/get-$last-$backend-$which")" -v b="$(median "$work/get-$first-$backend-$which")" \
                'BEGIN { printf "%.2f", a / b }')
            s=$(awk -v a="$(median "$work/select-$last-$backend-$which")" -v b="$(median "$work/select-$first-$backend-$which")" \
                'BEGIN { printf "%.2f", a / b }')
            echo "| | $backend | $which | $g | $s |"
        done
    done
fi
echo
echo "$runs runs each, interleaved. Load average (1, 5, 15 min) at the end: $load; $(nproc 2>/dev/null || echo '?') cores."
