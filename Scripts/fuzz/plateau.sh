#!/usr/bin/env bash
# Runs fuzz targets until their coverage stops growing, then minimizes what they found into the
# committed corpus (Documentation/Figures.md, "Fuzzing"). Not in CI: minutes per target.
#
# Usage: Scripts/fuzz/plateau.sh [TARGET…]        (default: every target of fuzz.sh)
# Environment: SEGMENT (seconds, default 120), MAX_SEGMENTS (default 8).
#
# Each target runs in segments of SEGMENT seconds on its working corpus (.build-fuzz/<target>/,
# which fuzz.sh also uses, and the committed Fuzz/corpus/<target>/) until a segment ends with
# the coverage (libFuzzer's `cov`, edges reached) it began with: the plateau. A crash ends the
# target's run and is reported. Then `-merge=1` keeps the smallest set of inputs that reaches
# the same coverage and features, and that set replaces Fuzz/corpus/<target>/.
# Prints one Markdown row per target: segments, minutes, executions, coverage, features,
# corpus files, crashes; the whole libFuzzer output is in .build-fuzz/plateau/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
segment=${SEGMENT:-120}
maximum=${MAX_SEGMENTS:-8}
if (($#)); then targets=("$@"); else
    mapfile -t targets < <(sed -n '/^targets=(/,/^)/p' Scripts/fuzz/fuzz.sh | grep -v '[()]' | tr ' ' '\n' | grep .)
fi
mkdir -p .build-fuzz
# The build's output is long (the linker's notes on the sanitizer's symbols); kept for a failure.
for target in "${targets[@]}"; do
    Scripts/fuzz/fuzz.sh "$target" 0 >.build-fuzz/plateau-build.log 2>&1 || { tail -30 .build-fuzz/plateau-build.log >&2; exit 1; }
done
out=.build-fuzz
mkdir -p "$out/plateau"
export LSAN_OPTIONS="suppressions=$PWD/Scripts/fuzz/leaks.supp"
export SWIFT_BACKTRACE=enable=no
echo "| target | segments of ${segment} s | minutes | executions | coverage (edges) | features | corpus files | crashes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for target in "${targets[@]}"; do
    log=$out/plateau/$target.log
    : >"$log"
    mkdir -p "$out/$target"
    segments=0 executions=0 crashes=0 coverage=-1 features=0 started=$SECONDS
    while ((segments < maximum)); do
        segments=$((segments + 1))
        status=0
        "$out/fuzz-$target" -max_total_time="$segment" -max_len=4096 -timeout=10 -print_final_stats=1 \
            -artifact_prefix="$out/$target/" "$out/$target" "Fuzz/corpus/$target" >"$log.segment" 2>&1 || status=$?
        cat "$log.segment" >>"$log"
        executions=$((executions + $(grep -o 'number_of_executed_units: [0-9]*' "$log.segment" | grep -o '[0-9]*$' || echo 0)))
        last=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log.segment" | tail -1)
        previous=$coverage
        coverage=$(echo "$last" | awk '{print $2}')
        features=$(echo "$last" | awk '{print $4}')
        if ((status != 0)); then
            crashes=$((crashes + 1))
            grep -E 'Fatal error|SUMMARY|Test unit written' "$log.segment" >&2 || true
            break
        fi
        # The first segment's start is the corpus's replay; a segment that ends where the
        # previous one ended added no edge.
        ((coverage > previous)) || break
    done
    rm -f "$log.segment"
    minutes=$(awk "BEGIN {printf \"%.1f\", ($SECONDS - $started) / 60}")
    if ((crashes == 0)); then
        fresh=$out/plateau/$target.merged
        rm -rf "$fresh"
        mkdir -p "$fresh"
        "$out/fuzz-$target" -merge=1 -max_len=4096 -timeout=10 "$fresh" "Fuzz/corpus/$target" "$out/$target" \
            >>"$log" 2>&1
        rm -rf "Fuzz/corpus/$target"
        mv "$fresh" "Fuzz/corpus/$target"
    fi
    files=$(find "Fuzz/corpus/$target" -type f | wc -l)
    echo "| $target | $segments | $minutes | $executions | $coverage | $features | $files | $crashes |"
done
