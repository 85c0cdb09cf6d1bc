#!/bin/sh
# Signed commits (issue 11): what signing adds to a commit and how fast
# signed commits are verified — Giter's signers and checker (release build)
# against git commit-tree -S, git verify-commit and git log --show-signature,
# side by side in one run. Every argument is passed through to
# SigningBenchmark: --runs N (default 5), --signing-commits M (200),
# --peer-commits P (50), --commits N (1000, the verified chains),
# --backends libgit2,git, --quick (smoke run).
#
#   Benchmarks/run-signing.sh --runs 5     # Markdown on stdout, progress on stderr
#
# Needs git, ssh-keygen, ssh-agent, ssh-add and gpg (GnuPG 2). Keys are made
# fresh in a folder in /dev/shm when it is writable (else /tmp), GnuPG homes
# in a short folder under /tmp; both are removed afterwards, and the
# ssh-agent and gpg-agents the run starts are stopped, also when it fails
# or is interrupted. GITER_BENCH_SCRATCH=DIR builds in DIR instead of
# Benchmarks/.build (so that two benchmark builds can run side by side).
set -eu
benchmarks=$(cd "$(dirname "$0")" && pwd)
scratch="${GITER_BENCH_SCRATCH:-$benchmarks/.build}"
# See run.sh: drop a stale build plan after the main package's sources changed.
plan="$scratch/release/description.json"
if [ -f "$plan" ] && [ -n "$(find "$benchmarks/../Sources" -newer "$plan" -print -quit)" ]; then
    rm -f "$plan" "$scratch/release.yaml"
fi
swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --product SigningBenchmark 1>&2
bin=$(swift build -c release --package-path "$benchmarks" --scratch-path "$scratch" --show-bin-path)

base=/tmp
if [ -w /dev/shm ]; then base=/dev/shm; fi
work=$(mktemp -d "$base/giter-sign-bench.XXXXXX")
gnupg=$(mktemp -d /tmp/gsb.XXXXXX)
cleanup() {
    # The benchmark stops its children itself; this covers a kill or an interrupt.
    if [ -f "$work/agent.pid" ]; then kill "$(cat "$work/agent.pid")" 2>/dev/null || true; fi
    for home in "$gnupg"/*; do
        if [ -d "$home" ]; then GNUPGHOME="$home" gpgconf --kill all 2>/dev/null || true; fi
    done
    rm -rf "$work" "$gnupg"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$bin/SigningBenchmark" --work "$work" --gnupg-home "$gnupg" "$@"
