#!/usr/bin/env bash
# False alarms and detection delay of `squire drift` (Documentation/Figures.md, "Drift: false
# alarms and detection delay"). For BANKING77 and SNIPS: trains Squire's logistic classifier,
# profiles it with `squire profile --model` (windows of 500), answers an unseen pool once with
# `squire predict --embeddings`, then runs `squire drift --window-size N` on 200 windows drawn
# i.i.d. from the pool for N = 100, 250, 500 and 1,000, with and without delayed labels; then
# the drift guide's shifted traffic (SNIPS, SMS, 10/30/50% mixtures) against the BANKING77 profile.
# Needs ../shared/data, numpy and the model (Scripts/setup/fetch-model.sh); 78 minutes on
# 2 cores shared with other jobs, most of it the first run's embedding (kept in WORK and reused).
#
#   Scripts/figures/drift-false-alarms.sh [WORK]         # results in WORK/results-current
#   SQUIRE=/path/to/old/squire RESULTS=before Scripts/figures/drift-false-alarms.sh
#       # the same windows judged by another build (models and predictions are reused)
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-.build-drift-false-alarms}"
python3 -c "import numpy" 2>/dev/null || { echo "needs numpy: pip install numpy" >&2; exit 2; }
[ -d ../shared/data/banking77 ] && [ -d ../shared/data/snips ] || { echo "needs ../shared/data (BANKING77, SNIPS, SMS)" >&2; exit 2; }
squire="${SQUIRE:-}"
if [ -z "$squire" ]; then
    swift build -c release --product squire >/dev/null
    squire=.build/release/squire
fi
results="$work/results-${RESULTS:-current}"
script=Scripts/figures/drift-false-alarms.py
mkdir -p "$results"
[ -f "$work/banking77/pool.jsonl" ] || python3 "$script" prepare "$work"
for dataset in banking77 snips; do
    folder="$work/$dataset"
    # The model and its answers do not depend on the drift code: made once, kept.
    [ -d "$folder/bundle" ] || "$squire" train --recipe logistic --data "$folder/fit.jsonl" --validation "$folder/validation.jsonl" \
        --output "$folder/bundle" >"$folder/train.log" 2>&1
    [ -f "$folder/pool-predictions.jsonl" ] || "$squire" predict --model "$folder/bundle" --input "$folder/pool.jsonl" \
        --output "$folder/pool-predictions.jsonl" --embeddings 2>/dev/null
    "$squire" profile --data "$folder/validation.jsonl" --model "$folder/bundle" --output "$results/$dataset-profile.json" \
        --window-size 500 >"$results/$dataset-profile.log" 2>&1
    for size in 100 250 500 1000; do
        for labels in nolabels labels; do
            windows="$work/windows-$dataset-$size-$labels.jsonl"
            python3 "$script" unchanged "$work" "$dataset" "$size" "$labels" "$windows"
            # Exit 1 (retrain) is a false alarm here, counted by the summary; 2 (an input error) stops the run.
            "$squire" drift --reference "$results/$dataset-profile.json" --current "$windows" --window-size "$size" \
                --json >"$results/$dataset-$size-$labels.json" || [ $? -eq 1 ]
            rm -f "$windows"
            python3 "$script" slim "$results/$dataset-$size-$labels.json"
        done
    done
done
for name in snips sms_spam; do
    [ -f "$work/banking77/foreign-$name-predictions.jsonl" ] || "$squire" predict --model "$work/banking77/bundle" \
        --input "$work/banking77/foreign-$name.jsonl" --output "$work/banking77/foreign-$name-predictions.jsonl" \
        --embeddings 2>/dev/null
done
python3 "$script" shifted "$work" "$work/shifted"
for name in snips sms mix-10 mix-30 mix-50 mix-30-labelled; do
    # A fresh monitor per scenario; an input error (exit 2) leaves an empty file, reported as refused.
    "$squire" drift --reference "$results/banking77-profile.json" --current "$work/shifted/$name.jsonl" \
        --json >"$results/shifted-$name.json" 2>"$results/shifted-$name.err" || true
    python3 "$script" slim "$results/shifted-$name.json"
done
python3 "$script" summarize "$work" "$results" | tee "$results/summary.md"
