#!/usr/bin/env python3
"""The git CLI's floor over git daemon, with and without 40 ms stalls.

Starts its own `git daemon` on a free loopback port over a repository of
HISTORY commits, and times SAMPLES of each, alternating:

- `git push` of one new commit and `git fetch` of a commit another client
  just pushed, as git connects by itself (git://HOST:PORT/...);
- the same two commands given a connection with TCP_NODELAY and a quick
  acknowledgement before each read (Linux), made here and handed to git as
  fd::3, as Giter's git CLI backend does (Documentation/Backends.md, "Sockets:
  no 40 ms stalls (git CLI over git://)").

Prints the median of each in milliseconds. Usage:

    Benchmarks/Baselines/git-relay-floor.py [SAMPLES] [HISTORY]
"""
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SAMPLES = int(sys.argv[1]) if len(sys.argv) > 1 else 10
HISTORY = int(sys.argv[2]) if len(sys.argv) > 2 else 80
IDENTITY = ["-c", "user.name=floor", "-c", "user.email=floor@example.com"]


def git(*args, cwd=None, **kwargs):
    return subprocess.run(["git", *args], cwd=cwd, check=True, **kwargs)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(service, path, host, version2):
    body = f"{service} {path}\0host={host}\0".encode()
    if version2:
        body += b"\0version=2\0"
    return b"%04x" % (len(body) + 4) + body


def relayed(arguments, service, port, cwd):
    """Runs git with fd::3 connected to the daemon through a relay with socket options."""
    server = socket.create_connection(("127.0.0.1", port))
    server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server.sendall(request(service, "/floor.git", f"127.0.0.1:{port}", service == "git-upload-pack"))
    local, child = socket.socketpair()
    os.set_inheritable(child.fileno(), True)
    process = subprocess.Popen(
        ["sh", "-c", f'exec 3<&{child.fileno()}; exec git "$@"', "git", *arguments],
        cwd=cwd, pass_fds=[child.fileno()], stdout=subprocess.DEVNULL)
    child.close()
    other = {local: server, server: local}
    while other:
        for ready in select.select(list(other), [], [])[0]:
            if ready is server and hasattr(socket, "TCP_QUICKACK"):
                server.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            data = ready.recv(65536)
            if data:
                other[ready].sendall(data)
            else:
                try:
                    other[ready].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                del other[ready]
    if process.wait() != 0:
        raise SystemExit(f"git {' '.join(arguments)} failed")
    server.close()
    local.close()


def timed(times, key, relay, cwd, service, arguments, port):
    """Runs git (through the relay or not) and records its time in milliseconds under key."""
    start = time.perf_counter()
    if relay:
        relayed(arguments, service, port, cwd)
    else:
        git(*arguments, cwd=cwd)
    times[key].append((time.perf_counter() - start) * 1000)



def main():
    with tempfile.TemporaryDirectory(prefix="git-relay-floor-") as root:
        served = os.path.join(root, "floor.git")
        git("init", "-q", "--bare", "-b", "main", served)
        writer = os.path.join(root, "writer")
        git("init", "-q", "-b", "main", writer)
        for number in range(HISTORY):
            with open(os.path.join(writer, f"f{number % 7}"), "a") as file:
                file.write(f"{number}\n")
            git("add", "-A", cwd=writer)
            git(*IDENTITY, "commit", "-q", "-m", f"c{number}", cwd=writer)
        git("push", "-q", served, "HEAD:refs/heads/main", cwd=writer)
        reader = os.path.join(root, "reader.git")
        git("clone", "-q", "--bare", served, reader)
        port = free_port()
        daemon = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={root}",
             "--export-all", "--enable=receive-pack", root], stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 10
            while subprocess.run(["git", "ls-remote", f"git://127.0.0.1:{port}/floor.git"],
                                 capture_output=True).returncode != 0:
                if time.time() > deadline:
                    raise SystemExit("git daemon did not start")
                time.sleep(0.02)
            url = f"git://127.0.0.1:{port}/floor.git"
            refspec = "+refs/heads/main:refs/remotes/origin/main"
            times = {key: [] for key in ("push", "fetch", "push-relayed", "fetch-relayed")}
            for sample in range(SAMPLES):
                for relay in (False, True):
                    suffix = "-relayed" if relay else ""
                    # A push of one new commit from the writer.
                    with open(os.path.join(writer, "g"), "a") as file:
                        file.write(f"{sample} {relay}\n")
                    git("add", "-A", cwd=writer)
                    git(*IDENTITY, "commit", "-q", "-m", f"s{sample}", cwd=writer)
                    timed(times, "push" + suffix, relay, writer, "git-receive-pack",
                          ["push", "-q", "fd::3" if relay else url, "HEAD:refs/heads/main"], port)
                    # The reader fetches that commit.
                    timed(times, "fetch" + suffix, relay, reader, "git-upload-pack",
                          ["fetch", "-q", "--no-tags", "fd::3" if relay else url, refspec], port)
            load = os.getloadavg()
            print(f"{subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}, "
                  f"{SAMPLES} samples, history {HISTORY} commits, load {load[0]:.2f}")
            for key, values in times.items():
                print(f"{key:14} median {statistics.median(values):6.1f} ms  "
                      f"(min {min(values):.1f}, max {max(values):.1f})")
            plain = 2 * statistics.median(times["push"]) + 2 * statistics.median(times["fetch"])
            tuned = 2 * statistics.median(times["push-relayed"]) + 2 * statistics.median(times["fetch-relayed"])
            print(f"floor with new-commit fetches: {plain:.1f} ms as git connects, {tuned:.1f} ms without stalls")
        finally:
            daemon.terminate()
            daemon.wait()


main()
