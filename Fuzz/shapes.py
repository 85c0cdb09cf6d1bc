#!/usr/bin/env python3
"""Writes the generated seed shapes of Fuzz/run.sh into a directory.

The shapes are the ones the codec must handle in linear work (issue 12,
"Work linear in the input"): many keys in block and flow mappings, long
sequences, long strings, long block scalars, many documents and nesting up
to the depth limit (128, ParseLimits.default) and one past it, each in YAML
and, where JSON has it, in JSON, plus resource files of those shapes for the
splice and CustomResource harnesses. Each shape is written small (about
1 KB) and large (about 48 KB, under the run's -max_len of 64 KiB).

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
