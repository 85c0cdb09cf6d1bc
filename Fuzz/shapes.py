#!/usr/bin/env python3
"""Writes the generated seed shapes of Fuzz/run.sh into a directory.

The shapes are the ones the codec must handle in linear work (issue 12,
"Work linear in the input"): many keys in block and flow mappings, long
sequences, long strings, long block scalars, many documents and nesting up
to the depth limit (128, ParseLimits.default) and one past it, each in YAML
and, where JSON has it, in JSON, plus resource files of those shapes for the
splice and CustomResource harnesses; and the inputs of the linear-work
benchmark (Benchmarks/run-linear.sh), named bench-*, written as that
benchmark writes them. Each shape is written small (about 1 KB) and large
(about 48 KB, under the run's -max_len of 64 KiB).

    python3 Fuzz/shapes.py DIRECTORY
"""

import json
import os
import sys

DEPTH_LIMIT = 128
SIZES = {"small": 1_000, "large": 48_000}


def repeat_until(size, make):
    """Joins make(i) for i = 0, 1, ... until the text reaches size bytes."""
    parts, total, i = [], 0, 0
    while total < size:
        part = make(i)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def resource(spec_body, status_body="status:\n  observedGeneration: 1\n"):
    """A resource file with the given `spec:` block (already indented)."""
    return (
        "apiVersion: batch.example.com/v1\nkind: Job\n"
        "metadata:\n  name: shape\n  namespace: fuzz\n  generation: 1\n"
        "spec:\n" + spec_body + status_body
    )


def shapes(size):
    yield "yaml-block-keys", repeat_until(size, lambda i: f"key{i}: value {i}\n")
    yield "yaml-flow-keys", "{" + repeat_until(size, lambda i: f"key{i}: {i}, ") + "last: 0}\n"
    yield "yaml-block-sequence", repeat_until(size, lambda i: f"- item {i}\n")
    yield "yaml-flow-sequence", "[" + repeat_until(size, lambda i: f"{i}, ") + "0]\n"
    yield "yaml-long-plain", "text: " + "word " * (size // 5) + "end\n"
    yield "yaml-long-double-quoted", 'text: "' + "a\\tb\\u00e9 \\\" " * (size // 14) + '"\n'
    yield "yaml-long-single-quoted", "text: '" + "it''s " * (size // 6) + "'\n"
    yield "yaml-literal-block", "text: |\n" + repeat_until(size, lambda i: f"  line {i} # not a comment\n")
    yield "yaml-folded-block", "text: >-\n" + repeat_until(size, lambda i: f"  word {i}\n" if i % 7 else "\n")
    yield "yaml-documents", repeat_until(size, lambda i: f"---\nn: {i}\n")
    yield "yaml-documents-bare", repeat_until(size, lambda i: f"- {i}\n...\n")
    for depth in (DEPTH_LIMIT, DEPTH_LIMIT + 1):
        yield f"yaml-block-depth-{depth}", "".join("  " * i + f"k{i}:\n" for i in range(depth - 1)) + "  " * (
            depth - 1
        ) + "leaf: 1\n"
        yield f"yaml-flow-depth-{depth}", "[" * depth + "1" + "]" * depth + "\n"
        yield f"yaml-sequence-depth-{depth}", "".join("  " * i + "-\n" for i in range(depth - 1)) + "  " * (
            depth - 1
        ) + "- x\n"
    yield "json-object-keys", json.dumps({f"key{i}": i for i in range(size // 12)})
    yield "json-array", json.dumps(list(range(size // 6)))
    yield "json-long-string", json.dumps("é\t\"\\ \u2028 x" * (size // 12))
    yield "json-stream", repeat_until(size, lambda i: json.dumps({"n": i, "s": [i, None, True]}) + "\n")
    for depth in (DEPTH_LIMIT, DEPTH_LIMIT + 1):
        yield f"json-depth-{depth}", '{"a":' * depth + "1" + "}" * depth
    yield "resource-spec-keys", resource(
        "  image: app:1\n  env:\n" + repeat_until(size, lambda i: f"    VAR_{i}: value-{i}\n")
    )
    yield "resource-ports", resource(
        "  image: app:1\n  ports:\n" + repeat_until(size, lambda i: f"  - name: p{i}\n    port: {i}\n")
    )
    yield "resource-conditions", resource(
        "  image: app:1\n",
        "status:\n  observedGeneration: 1\n  conditions:\n"
        + repeat_until(
            size,
            lambda i: f"  - type: Type{i}\n    status: \"True\"\n    reason: R{i}\n    message: m\n"
            "    lastTransitionTime: 2026-12-01T10:00:00Z\n",
        ),
    )
    yield "resource-literal-status", resource(
        "  image: app:1\n",
        "# the consumer's section\nstatus:\n  phase: |\n" + repeat_until(size, lambda i: f"    line {i}\n"),
    )
    yield "resource-crlf", resource("  image: app:1\n  replicas: 2\n").replace("\n", "\r\n")
    yield from benchmark_shapes(size)


# The inputs of Benchmarks/Sources/LinearBenchmark/Shape.swift (run-linear.sh),
# written the same way at seed size: a resource file per shape whose spec
# holds the growing part, with a small status.
BENCH_API_VERSION = "linear.giter.dev/v1"
BENCH_STATUS = "status:\n  observedGeneration: 1\n  phase: Running\n"
TREE_LEVELS = DEPTH_LIMIT - 3  # root, spec and spec.trees take three levels


def bench_header(kind, name):
    return (
        f"apiVersion: {BENCH_API_VERSION}\nkind: {kind}\n"
        f"metadata:\n  name: {name}\n  namespace: bench\n  generation: 1\n"
    )


def bench_small_resource(i):
    return bench_header("Item", f"item-{i}") + f"spec:\n  name: item {i} of the batch\n  port: {i % 65536}\n" + BENCH_STATUS


def bench_nest_block(i):
    lines = ["  - c:\n"] + [" " * (4 + level) + "c:\n" for level in range(1, TREE_LEVELS - 1)]
    return "".join(lines) + " " * (4 + TREE_LEVELS - 1) + f"v: {i}\n"


def bench_nest_flow(i):
    return "  - " + "{c: " * (TREE_LEVELS - 1) + f"{{v: {i}}}" + "}" * (TREE_LEVELS - 1) + "\n"


def benchmark_shapes(size):
    def shape(kind, opening, unit, closing=""):
        head = bench_header(kind, "shape") + opening
        budget = max(1, size - len(head) - len(closing) - len(BENCH_STATUS))
        return head + repeat_until(budget, unit) + closing + BENCH_STATUS

    yield "bench-block-keys", shape("BlockKeys", "spec:\n", lambda i: f"  key-{i}: value {i}\n")
    yield "bench-flow-keys", shape("FlowKeys", "spec: {", lambda i: f"key-{i}: {i}, ", "last: 0}\n")
    yield "bench-sequence", shape("Sequence", "spec:\n  items:\n", lambda i: f"  - name: item-{i}\n    port: {i % 65536}\n")
    yield "bench-string", shape(
        "LongString", 'spec:\n  text: "', lambda i: f'word {i} \\t\\"quoted\\" caf\\u00e9 ', 'end"\n'
    )
    yield "bench-block-scalar", shape(
        "BlockScalar", "spec:\n  text: |\n", lambda i: f"    line {i} of the literal block, kept as written: # not a comment\n"
    )
    yield "bench-documents", repeat_until(size, lambda i: "---\n" + bench_small_resource(i))
    yield "bench-nest-block", shape("NestBlock", "spec:\n  trees:\n", bench_nest_block)
    yield "bench-nest-flow", shape("NestFlow", "spec:\n  trees:\n", bench_nest_flow)
    yield "bench-file", bench_small_resource(0)
    # Their JSON forms, as the benchmark's parse-json path reads them.
    def resource_json(kind, spec, name="shape"):
        return {
            "apiVersion": BENCH_API_VERSION, "kind": kind,
            "metadata": {"name": name, "namespace": "bench", "generation": 1},
            "spec": spec, "status": {"observedGeneration": 1, "phase": "Running"},
        }

    def grow(make):
        """make(n) for the smallest n (by doubling) whose JSON reaches size bytes."""
        low, high = 0, 1
        while len(json.dumps(make(high))) < size:
            low, high = high, high * 2
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if len(json.dumps(make(middle))) < size else (low, middle)
        return json.dumps(make(high), ensure_ascii=False)

    def tree(i):
        node = {"v": i}
        for _ in range(TREE_LEVELS - 1):
            node = {"c": node}
        return node

    yield "bench-json-keys", grow(lambda n: resource_json("BlockKeys", {f"key-{i}": f"value {i}" for i in range(n)}))
    yield "bench-json-sequence", grow(
        lambda n: resource_json("Sequence", {"items": [{"name": f"item-{i}", "port": i % 65536} for i in range(n)]})
    )
    yield "bench-json-string", grow(
        lambda n: resource_json("LongString", {"text": "".join(f'word {i} \t"quoted" caf\u00e9 ' for i in range(n))})
    )
    yield "bench-json-nest", grow(lambda n: resource_json("NestFlow", {"trees": [tree(i) for i in range(n)]}))
    yield "bench-json-lines", repeat_until(
        size,
        lambda i: json.dumps(resource_json("Item", {"name": f"item {i} of the batch", "port": i % 65536}, f"item-{i}")) + "\n",
    )


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: shapes.py DIRECTORY")
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    count = 0
    for label, size in SIZES.items():
        for name, text in shapes(size):
            with open(os.path.join(directory, f"{name}-{label}"), "w", encoding="utf-8", newline="") as file:
                file.write(text)
            count += 1
    print(f"shapes.py: {count} shapes in {directory}")


if __name__ == "__main__":
    main()
