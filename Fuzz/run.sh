#!/usr/bin/env bash
# Runs Giter's libFuzzer harnesses (Documentation/Reliability.md, "Fuzzing").
#
#   Fuzz/run.sh [--time SECONDS] [--keep-corpus] [harness...]
#
# Harnesses: yaml (FuzzYAMLReader), json (FuzzJSONReader), splice
# (FuzzYAMLSplice), resource (FuzzCustomResource); all four when none is
# named. Each runs for SECONDS (default 60) with -timeout=10 and
# -rss_limit_mb=2048, one after the other.
#
# The script builds the harnesses (swift build -c debug -Xswiftc
# -sanitize=fuzzer,address in Fuzz/), seeds a corpus per harness in a temp
# directory (the yaml-test-suite and JSONTestSuite inputs from
# ../shared/testdata or $GITER_TESTDATA, the regression inputs of
# Tests/Fixtures/fuzz, and generated shapes), runs each
# harness and prints its executions, executions per second, peak RSS and
# findings. A crash, timeout or out-of-memory input is written to
# Fuzz/findings/ (or $GITER_FUZZ_FINDINGS) and the script exits 1; add a
# minimized copy (-minimize_crash=1) to Tests/Fixtures/fuzz.
#
# Linux only: libFuzzer ships with the Swift toolchain for Linux.
set -euo pipefail

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
seconds=60
keep_corpus=0
harnesses=()

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --time)
            [ $# -ge 2 ] || { echo "run.sh: --time needs a number of seconds" >&2; exit 2; }
            seconds="$2"; shift 2 ;;
        --time=*) seconds="${1#--time=}"; shift ;;
        --keep-corpus) keep_corpus=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) harnesses+=("$1"); shift ;;
    esac
done
case "$seconds" in
    ''|*[!0-9]*) echo "run.sh: --time takes whole seconds, not '$seconds'" >&2; exit 2 ;;
esac
[ ${#harnesses[@]} -gt 0 ] || harnesses=(yaml json splice resource)

product_of() {
    case "$1" in
        yaml|FuzzYAMLReader) echo FuzzYAMLReader ;;
        json|FuzzJSONReader) echo FuzzJSONReader ;;
        splice|FuzzYAMLSplice) echo FuzzYAMLSplice ;;
        resource|FuzzCustomResource) echo FuzzCustomResource ;;
        *) return 1 ;;
    esac
}
for harness in "${harnesses[@]}"; do
    product_of "$harness" >/dev/null || {
        echo "run.sh: unknown harness '$harness'; choose from yaml, json, splice, resource" >&2
        exit 2
    }
done

testdata="${GITER_TESTDATA:-$(dirname "$root")/shared/testdata}"
regressions="$root/Tests/Fixtures/fuzz"
findings="${GITER_FUZZ_FINDINGS:-$fuzz_dir/findings}"
work="$(mktemp -d "${TMPDIR:-/tmp}/giter-fuzz.XXXXXX")"
if [ "$keep_corpus" = 0 ]; then
    trap 'rm -rf "$work"' EXIT
fi

# 1. Build. -sanitize=fuzzer instruments for coverage and links libFuzzer;
#    address adds AddressSanitizer. The harnesses start libFuzzer through
#    LLVMFuzzerRunDriver because SwiftPM links each executable's own main.
#    lld (shipped with the toolchain) links them: gold warns about every
#    AddressSanitizer helper symbol, and fails on some errors without saying why.
build_flags=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
echo "== building the harnesses (swift build ${build_flags[*]})"
swift build --package-path "$fuzz_dir" "${build_flags[@]}"
bin="$(swift build --package-path "$fuzz_dir" "${build_flags[@]}" --show-bin-path)"

# 2. Seeds.
# A file of the corpora that holds only a path (a symbolic link stored as a
# plain file, as in the yaml-test-suite's tags/ and name/ folders) is not an
# input: skip it.
is_link_stand_in() {
    local file="$1" target
    [ "$(wc -c <"$file")" -lt 256 ] || return 1
    target="$(head -n 1 "$file" | tr -d '\000')"
    [ -n "$target" ] && [ "$(wc -l <"$file")" -le 1 ] && [ -e "$(dirname "$file")/$target" ]
}

copy_seeds() {  # copy_seeds DEST PREFIX FILE...
    local dest="$1" prefix="$2" file n=0
    shift 2
    for file in "$@"; do
        [ -f "$file" ] || continue
        is_link_stand_in "$file" && continue
        n=$((n + 1))
        cp "$file" "$dest/$prefix-$n"
    done
}

yaml_seeds="$work/seeds-yaml"
json_seeds="$work/seeds-json"
shape_seeds="$work/seeds-shapes"
mkdir -p "$yaml_seeds" "$json_seeds" "$shape_seeds"
if [ -d "$testdata/yaml-test-suite" ]; then
    # The cases are <ID>/in.yaml or <ID>/<NN>/in.yaml; tags/ and name/ hold links.
    mapfile -t files < <(find "$testdata/yaml-test-suite" \( -path '*/tags' -o -path '*/name' \) -prune \
        -o -type f \( -name in.yaml -o -name out.yaml -o -name emit.yaml \) -print | sort)
    copy_seeds "$yaml_seeds" yts "${files[@]}"
    mapfile -t files < <(find "$testdata/yaml-test-suite" \( -path '*/tags' -o -path '*/name' \) -prune \
        -o -type f -name in.json -print | sort)
    copy_seeds "$json_seeds" yts "${files[@]}"
else
    echo "run.sh: no yaml-test-suite under $testdata; seeding with generated shapes only" >&2
fi
if [ -d "$testdata/json-test-suite/test_parsing" ]; then
    mapfile -t files < <(find "$testdata/json-test-suite/test_parsing" -type f -name '*.json' | sort)
    copy_seeds "$json_seeds" jts "${files[@]}"
else
    echo "run.sh: no json-test-suite under $testdata; seeding with generated shapes only" >&2
fi
if [ -d "$regressions" ]; then
    mapfile -t files < <(find "$regressions" -type f ! -name '*.md' | sort)
    copy_seeds "$yaml_seeds" regression "${files[@]}"
    copy_seeds "$json_seeds" regression "${files[@]}"
fi
python3 "$fuzz_dir/shapes.py" "$shape_seeds"

seed_dirs_of() {
    case "$1" in
        FuzzJSONReader) echo "$json_seeds $shape_seeds" ;;
        *) echo "$yaml_seeds $shape_seeds" ;;
    esac
}

# 3. Run.
mkdir -p "$findings"
status=0
summary=()
for harness in "${harnesses[@]}"; do
    product="$(product_of "$harness")"
    corpus="$work/corpus-$product"
    log="$work/$product.log"
    mkdir -p "$corpus"
    before="$(find "$findings" -type f -name "$product-*" | wc -l)"
    echo "== $product: ${seconds}s (log: $log)"
    set +e
    # shellcheck disable=SC2046  # the seed directories are split on purpose
    "$bin/$product" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$findings/$product-" \
        "$corpus" $(seed_dirs_of "$product") >"$log" 2>&1
    code=$?
    set -e
    after="$(find "$findings" -type f -name "$product-*" | wc -l)"
    found=$((after - before))
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)"
    units="$(find "$corpus" -type f | wc -l)"
    line="$product: ${runs:-?} executions, ${rate:-?} exec/s, peak RSS ${rss:-?} MB, corpus $units, findings $found"
    echo "$line"
    summary+=("$line")
    if [ "$found" -gt 0 ] || [ "$code" -ne 0 ]; then
        status=1
        echo "   libFuzzer exited $code; its report:" >&2
        grep -E '^(==[0-9]+==|SUMMARY|Fatal error|.*deadly signal|.*-timeout|.*out-of-memory|    #[0-9]+ )' "$log" \
            | head -n 40 >&2 || true
        cp "$log" "$findings/$product.log"
    fi
done

echo "== summary ($(uptime | sed 's/.*load average/load average/'))"
printf '%s\n' "${summary[@]}"
if [ "$status" -ne 0 ]; then
    echo "findings (crash, timeout or oom inputs, and the logs) are in $findings" >&2
    exit 1
fi
