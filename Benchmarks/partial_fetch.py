#!/usr/bin/env python3
"""Initial sync of a large exchange, full against partial (issue 15, part 5).

Writes the scale benchmark's exchange (the contract as the root commit, then
N resources of kind Widget, with the same files as
Benchmarks/Sources/ScaleBenchmark/Fixture.swift) spread over NAMESPACES
namespaces, each namespace applied in commits of its own (1,000 resources to
a commit at most), serves it with `git daemon` on 127.0.0.1 (the repository
allows filters), and times, in fresh bare mirrors, exactly the git commands
the git backend (GitCLITransport) runs for an initial sync:

  full     git fetch of the branch (a mirror with every blob)
  partial  git fetch --filter=blob:none (commits and trees), then the blobs
           of ONE namespace: one `git cat-file --batch-check` for the
           missing ones and one `git fetch --stdin` of their ids from the
           promisor remote. With commits of one namespace each, these are
           exactly the files a store scoped to it reads: the files of the
           commits its history check judges whole (those touching its
           scope) and the files it lists. A commit that mixes namespaces
           would add all its files (Documentation/PartialFetch.md).

Bytes: the size of the packs the mirror holds afterwards (what came over
the wire, as packs). Runs are interleaved; medians and the load average are
printed. Usage:

  Benchmarks/partial_fetch.py [--resources 100000] [--namespaces 100] [--runs 5] [--payload BYTES]
"""
import argparse, os, shutil, socket, statistics, subprocess, sys, tempfile, time

ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", LC_ALL="C", GIT_TERMINAL_PROMPT="0")
PROMISOR = ["-c", "remote.origin.promisor=true", "-c", "remote.origin.partialclonefilter=blob:none"]

POLICY = """apiVersion: giter.dev/v1alpha1
kind: ExchangePolicy
metadata:
  name: scale
spec:
  parties:
  - name: lab
    role: producer
    namespaces: ["bench-*"]
    members:
    - email: producer@bench.example
  - name: runner
    role: consumer
    namespaces: ["bench-*"]
    members:
    - email: consumer@bench.example
  unknownKinds: reject
"""


def git(*args, cwd=None, input=None):
    result = subprocess.run(["git", *args], cwd=cwd, env=ENV, input=input, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError("git %s failed: %s" % (" ".join(args[:4]), result.stderr.decode(errors="replace")))
    return result


def namespace(i, namespaces):
    return "bench-%02d" % (i % namespaces)


def name(i):
    return "w-%06d" % i


def bucket(n):
    # Any two-level fan-out works for the measurement; the SDK's own is ResourceKey.bucket.
    h = 0
    for c in n.encode():
        h = (h * 31 + c) & 0xFFFFFFFF
    return "%02x" % (h % 256)


def file(i, ns, payload):
    text = (f"apiVersion: bench.giter.example/v1\nkind: Widget\nmetadata:\n  name: {name(i)}\n  namespace: {ns}\n"
            f"  generation: 1\nspec:\n  image: registry.example.com/widget:1.1\n  replicas: 3\n  revision: 1\n")
    if payload:
        # Bytes that do not compress, as real specs differ from one another more than the fixture's do.
        text += "  note: " + os.urandom(payload // 2).hex() + "\n"
    return text


def make_exchange(path, resources, namespaces, payload, per_commit=1000):
    git("init", "--quiet", "--bare", "-b", "main", path)
    git("-C", path, "config", "uploadpack.allowFilter", "true")
    git("-C", path, "config", "uploadpack.allowReachableSHA1InWant", "true")
    out = []
    t = 1_800_000_000

    def data(text):
        b = text.encode()
        out.append(b"data %d\n" % len(b) + b + b"\n")

    def commit(who, message, files):
        nonlocal t
        t += 1
        out.append(b"commit refs/heads/main\n")
        out.append(f"author {who} {t} +0000\ncommitter {who} {t} +0000\n".encode())
        data(message)
        for p, text in files:
            out.append(f"M 100644 inline {p}\n".encode())
            data(text)
        out.append(b"\n")

    commit("Bench admin <admin@bench.example>", "giter: the exchange's contract\n", [(".giter/policy.yaml", POLICY)])
    # The producer applies each namespace's resources in commits of its own (per_commit to a commit).
    for n in range(namespaces):
        indices = list(range(n, resources, namespaces))
        for first in range(0, len(indices), per_commit):
            files = []
            for i in indices[first:first + per_commit]:
                ns = namespace(i, namespaces)
                files.append((f"resources/{ns}/Widget/{bucket(name(i))}/{name(i)}.yaml", file(i, ns, payload)))
            commit("Bench producer <producer@bench.example>", "giter: apply %d resources\n" % len(files), files)
    git("-C", path, "fast-import", "--quiet", input=b"".join(out))
    git("-C", path, "gc", "--quiet")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pack_bytes(mirror):
    folder = os.path.join(mirror, "objects", "pack")
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".pack"))


def fresh_mirror(root, url):
    mirror = tempfile.mkdtemp(dir=root)
    git("init", "--quiet", "--bare", mirror)
    git("-C", mirror, "config", "remote.origin.url", url)
    return mirror


def full_sync(root, url):
    mirror = fresh_mirror(root, url)
    start = time.monotonic()
    git("-C", mirror, "fetch", "--quiet", "--no-tags", "origin", "+refs/heads/main:refs/remotes/origin/main")
    elapsed = time.monotonic() - start
    result = (elapsed, pack_bytes(mirror), 0)
    shutil.rmtree(mirror)
    return result


def partial_sync(root, url, scope):
    mirror = fresh_mirror(root, url)
    start = time.monotonic()
    git("-C", mirror, *PROMISOR, "fetch", "--quiet", "--no-tags", "--filter=blob:none", "origin",
        "+refs/heads/main:refs/remotes/origin/main")
    listing = git("-C", mirror, "ls-tree", "-r", "--format=%(objectname)", "refs/remotes/origin/main", "--",
                  f"resources/{scope}/").stdout
    check = git("-C", mirror, "cat-file", "--batch-check=%(objectname)", input=listing).stdout
    missing = b"".join(line.split(b" ")[0] + b"\n" for line in check.splitlines() if line.endswith(b" missing"))
    git("-C", mirror, *PROMISOR, "-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags",
        "--no-write-fetch-head", "--recurse-submodules=no", "--stdin", "origin", input=missing)
    elapsed = time.monotonic() - start
    result = (elapsed, pack_bytes(mirror), missing.count(b"\n"))
    shutil.rmtree(mirror)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--payload", type=int, default=0, help="random bytes (hex) added to each spec")
    options = parser.parse_args()
    root = tempfile.mkdtemp(prefix="giter-partial-")
    daemon = None
    try:
        served = os.path.join(root, "srv")
        os.makedirs(served)
        print(f"writing {options.resources} resources in {options.namespaces} namespaces…", file=sys.stderr)
        make_exchange(os.path.join(served, "exchange.git"), options.resources, options.namespaces, options.payload)
        port = free_port()
        daemon = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={served}",
             "--export-all", "--informative-errors"], env=ENV)
        url = f"git://127.0.0.1:{port}/exchange.git"
        deadline = time.monotonic() + 10
        while True:
            try:
                git("ls-remote", url)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        scope = namespace(7, options.namespaces)
        full_sync(root, url)  # warm-up
        partial_sync(root, url, scope)
        fulls, partials = [], []
        for _ in range(options.runs):
            fulls.append(full_sync(root, url))
            partials.append(partial_sync(root, url, scope))
        load = os.getloadavg()
        print(f"resources {options.resources}, namespaces {options.namespaces}, payload {options.payload} B, scope {scope}, runs {options.runs}, "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print("| sync | median time (s) | min–max (s) | bytes (packs) | blobs fetched on demand |")
        print("|---|---:|---:|---:|---:|")
        for label, runs in (("full", fulls), ("partial, one namespace", partials)):
            times = [r[0] for r in runs]
            print(f"| {label} | {statistics.median(times):.3f} | {min(times):.3f}–{max(times):.3f} | "
                  f"{int(statistics.median(r[1] for r in runs)):,} | {runs[0][2]:,} |")
    finally:
        if daemon:
            daemon.terminate()
            daemon.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
