#!/usr/bin/env python3
"""A consumer of Experiments in Python, run by giter:

    giter reconcile Experiment --exec 'python3 experiment-consumer.py'

The experiment arrives as JSON on standard input; the status goes out as
JSON on standard output (giter adds observedGeneration and the rest)."""
import hashlib, json, os, sys

spec = json.load(sys.stdin)["spec"]
digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
ready = {"type": "Ready", "status": "True", "reason": "Completed", "message": os.environ["GITER_IDEMPOTENCY_KEY"]}
json.dump({"runner": "python", "digest": digest, "completedRepetitions": spec.get("repetitions", 3),
           "conditions": [ready]}, sys.stdout)
