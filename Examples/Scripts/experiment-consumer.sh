#!/bin/sh
# A consumer of Experiments in shell, run by giter:
#   giter reconcile Experiment --exec ./experiment-consumer.sh
# The experiment arrives as JSON on standard input; the status goes out as
# JSON on standard output (giter adds observedGeneration and the rest).
set -eu
experiment=$(cat)
repetitions=$(printf '%s' "$experiment" | sed -n 's/.*"repetitions": *\([0-9][0-9]*\).*/\1/p')
digest=$(printf '%s' "$experiment" | sha256sum | cut -d ' ' -f 1)
printf '{"runner": "sh", "digest": "%s", "completedRepetitions": %s, "conditions": [{"type": "Ready", "status": "True", "reason": "Completed", "message": "%s"}]}\n' \
    "$digest" "${repetitions:-3}" "$GITER_IDEMPOTENCY_KEY"
