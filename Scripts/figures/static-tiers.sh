#!/usr/bin/env bash
# The static tier against the encoder, with Squire's own logistic head on each, and the two as
# local tiers of one cascade. For each dataset: `squire distill-static` (once), `squire embed`
# of the training split with both models, `squire train --head logistic --embeddings` on each
# (C by 5-fold cross-validation, calibrated), `squire predict` of the test split with both
# bundles, then `squire route` with the static bundle first and the encoder's own answers as the
# fallback, for the encoder's test accuracy minus half a point. Prints one JSON object per
# dataset. About 6 minutes on 2 cores once the embeddings exist (another 4 to make them).
# Usage: Scripts/figures/static-tiers.sh [WORK] [DATASET...]   (default: banking77 snips)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-.build-static-quality}
shift || true
datasets=("${@:-banking77}")
[ $# -gt 0 ] || datasets=(banking77 snips)
mkdir -p "$work"
swift build -c release --product squire >/dev/null
squire=.build/release/squire
[ -d "$work/minilm-static" ] || "$squire" distill-static --output "$work/minilm-static"
accuracy() { # predictions.jsonl test.jsonl
    python3 -c 'import json,sys
p=[json.loads(l)["label"] for l in open(sys.argv[1])]
t=[json.loads(l)["label"] for l in open(sys.argv[2])]
print(sum(a==b for a,b in zip(p,t))/len(t))' "$1" "$2"
}
for dataset in "${datasets[@]}"; do
    data=../shared/data/$dataset
    for tier in static encoder; do
        model=()
        [ $tier = static ] && model=(--model "$work/minilm-static") && base=(--base "$work/minilm-static") || base=()
        [ -f "$work/$dataset-train-$tier.jsonl" ] ||
            "$squire" embed "${model[@]}" --input "$data/train.jsonl" --output "$work/$dataset-train-$tier.jsonl"
        [ -d "$work/$dataset-$tier-bundle" ] ||
            "$squire" train "${base[@]}" --data "$data/train.jsonl" --embeddings "$work/$dataset-train-$tier.jsonl" \
                --head logistic --output "$work/$dataset-$tier-bundle" --force >/dev/null
        "$squire" predict --model "$work/$dataset-$tier-bundle" --input "$data/test.jsonl" \
            --output "$work/$dataset-test-$tier-predictions.jsonl" --force 2>/dev/null
    done
    static=$(accuracy "$work/$dataset-test-static-predictions.jsonl" "$data/test.jsonl")
    encoder=$(accuracy "$work/$dataset-test-encoder-predictions.jsonl" "$data/test.jsonl")
    target=$(python3 -c "print($encoder - 0.005)")
    "$squire" route --predictions "$work/$dataset-test-static-predictions.jsonl" --reference "$data/test.jsonl" \
        --fallback "$work/$dataset-test-encoder-predictions.jsonl" --target-accuracy "$target" --json \
        >"$work/$dataset-route.json" || true
    python3 - "$dataset" "$static" "$encoder" "$target" "$work/$dataset-route.json" <<'PY'
import json, sys
dataset, static, encoder, target, route = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
chosen = json.load(open(route)).get("chosen")
print(json.dumps({dataset: {
    "static_test_accuracy": static, "encoder_test_accuracy": encoder, "target_accuracy": round(target, 4),
    "two_tiers": None if chosen is None else {
        "threshold": chosen["threshold"], "answered_by_static": round(1 - chosen["escalation_rate"], 4),
        "accuracy": chosen["accuracy"]}}}))
PY
done
