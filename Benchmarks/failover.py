#!/usr/bin/env python3
"""Failover of the example consumer: two replicas with --leader-election
against one bare repository; the leader is killed with SIGKILL; measures the
time from the kill to the standby taking the lease and to its first
reconcile finished (the standby's "experiment done" line), timing each
line of the consumers' output as it arrives (monotonic clock).

Usage: failover.py BIN_DIR [--backend libgit2|git] [--runs N] [--lease-duration S] [--poll S]
"""
import argparse, os, shutil, signal, statistics, subprocess, sys, tempfile, threading, time


def reader(process, name, lines, ready):
    for raw in process.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        with ready:
            lines.append((time.monotonic(), name, line))
            ready.notify_all()


def wait_for(lines, ready, predicate, deadline):
    with ready:
        while True:
            for entry in lines:
                if predicate(entry):
                    return entry
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("gave up waiting")
            ready.wait(remaining)


def one_run(bin_dir, backend, duration, poll):
    folder = tempfile.mkdtemp(prefix="giter-failover-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    try:
        repo = folder + "/lab.git"
        subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", repo], check=True)
        common = ["--remote", repo, "--poll-interval", str(poll), "--backend", backend]
        lines, ready = [], threading.Condition()
        replicas = {}
        for name in ("first", "second"):
            process = subprocess.Popen(
                [bin_dir + "/experiment-consumer"] + common
                + ["--cache", folder + "/" + name, "--runner", name, "--leader-election", "--lease-duration", str(duration)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            replicas[name] = process
            threading.Thread(target=reader, args=(process, name, lines, ready), daemon=True).start()
        producer = [bin_dir + "/experiment-producer"] + common + ["--cache", folder + "/producer", "--count", "1",
                                                                "--scale", "0.01", "--timeout", "120"]
        first = subprocess.run(producer + ["--batch", "b1"], capture_output=True, text=True, timeout=180)
        if first.returncode != 0:
            raise RuntimeError(first.stdout + first.stderr)
        leader = "first" if " on first" in first.stdout else "second"
        standby = "second" if leader == "first" else "first"
        # The standby has seen the lease renewed at least once: it is in steady state.
        mark = len(lines)
        killed = time.monotonic()
        replicas[leader].send_signal(signal.SIGKILL)
        second = subprocess.Popen(producer + ["--batch", "b2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = killed + 120
        took = wait_for(lines, ready, lambda e: e[0] > killed and e[1] == standby and "leadership: leader" in e[2], deadline)
        done = wait_for(lines, ready, lambda e: e[0] > killed and e[1] == standby and "experiment done" in e[2], deadline)
        second.wait(timeout=120)
        for process in replicas.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in replicas.values():
            process.wait(timeout=60)
        return took[0] - killed, done[0] - killed
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin_dir")
    parser.add_argument("--backend", default="libgit2")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lease-duration", type=float, default=2.0)
    parser.add_argument("--poll", type=float, default=0.2)
    options = parser.parse_args()
    takeovers, reconciles = [], []
    for run in range(options.runs):
        took, done = one_run(options.bin_dir, options.backend, options.lease_duration, options.poll)
        takeovers.append(took)
        reconciles.append(done)
        print(f"run {run + 1}: {options.backend}: lease taken {took:.2f} s, first reconcile done {done:.2f} s after SIGKILL",
              file=sys.stderr, flush=True)
    print(f"| {options.backend} | {options.lease_duration:g} s | {options.runs} | "
          f"{statistics.median(takeovers):.2f} s ({min(takeovers):.2f}–{max(takeovers):.2f}) | "
          f"{statistics.median(reconciles):.2f} s ({min(reconciles):.2f}–{max(reconciles):.2f}) |")


if __name__ == "__main__":
    main()
