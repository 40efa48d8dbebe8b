#!/bin/sh
# Issue #33's few-shot figures: the default recipe (`squire train` with no recipe named) and the
# frozen logistic head (`--recipe logistic`) on the samples of Scripts/fewshot/sample.py
# (8 and 16 examples per label, seeds 0–2, BANKING77 and SNIPS), scored on the full test splits.
# Appends one JSON line per run to RESULTS (default Scripts/fewshot/fewshot-results.jsonl) and
# skips runs already there. SetFit's figures come from Scripts/fewshot/setfit-peer.sh.
# About 35 minutes on a 2-core machine. Usage: Scripts/fewshot/fewshot-figures.sh [DATASETS] [KS] [SEEDS]
set -e
cd "$(dirname "$0")/../.."
S=${SQUIRE:-.build/release/squire}
D=${SAMPLES:-.build-fewshot/samples}
W=${WORK:-.build-fewshot/figures}
R=${RESULTS:-Scripts/fewshot/fewshot-results.jsonl}
DATA=${DATA:-../shared/data}
[ -f "$D/banking77-k8-s0.jsonl" ] || python3 Scripts/fewshot/sample.py "$D"
mkdir -p "$W"
touch "$R"
for ds in ${1:-banking77 snips}; do for k in ${2:-8 16}; do for seed in ${3:-0 1 2}; do
  for recipe in default logistic; do
    grep -q "\"run\": \"$ds-k$k-s$seed-$recipe\"" "$R" && continue
    out="$W/$ds-k$k-s$seed-$recipe"
    flags=""; [ "$recipe" = logistic ] && flags="--recipe logistic"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $S train $flags --data "$D/$ds-k$k-s$seed.jsonl" --output "$out" --seed "$seed" --force --json > "$out.train.json" 2> "$out.log"
    end=$(date +%s.%N)
    $S eval --data "$DATA/$ds/test.jsonl" --model "$out" --report "$out.test.json" --batch-size 64 > /dev/null
    python3 - "$out" "$ds" "$k" "$seed" "$recipe" "$start" "$end" >> "$R" <<'PY'
import json, sys
out, ds, k, seed, recipe, start, end = sys.argv[1:]
train = json.load(open(out + ".train.json"))
test = json.load(open(out + ".test.json"))["metrics"]
print(json.dumps({"run": f"{ds}-k{k}-s{seed}-{recipe}", "dataset": ds, "k": int(k), "seed": int(seed),
                  "recipe": recipe, "chose": train.get("recipe"), "test_accuracy": test["accuracy"],
                  "test_ece": test["expected_calibration_error"], "train_seconds": round(float(end) - float(start), 1),
                  "cpu": open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip()}))
PY
  done
done; done; done
