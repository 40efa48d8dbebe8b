#!/bin/sh
# Few-shot recipes through `squire train`, scored on the dev files of Scripts/fewshot/sample.py
# (1,000 training texts outside the samples), never the test split: how the default few-shot
# recipe was chosen (issue #33). One JSON line per run on stdout.
# Usage: Scripts/research/fewshot-finetune/swift-grid.sh "DATASETS" "KS" "SEEDS" "VARIANT=FLAGS;…"
#   e.g. swift-grid.sh "banking77 snips" "8" "0 1 2" "frozen=--recipe logistic;names=--recipe few-shot --tuning-epochs 0"
set -e
cd "$(dirname "$0")/../../.."
S=${SQUIRE:-.build/release/squire}
D=${SAMPLES:-.build-fewshot/samples}
W=${WORK:-.build-fewshot/grid}
mkdir -p "$W"
for ds in $1; do for k in $2; do for seed in $3; do
  echo "$4" | tr ';' '\n' | while IFS='=' read -r name flags; do
    [ -n "$name" ] || continue
    out="$W/$ds-k$k-s$seed-$name"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $S train $flags --data "$D/$ds-k$k-s$seed.jsonl" --output "$out" --seed "$seed" --force --json > "$out.train.json" 2> "$out.log"
    end=$(date +%s.%N)
    $S eval --data "$D/$ds-dev-s$seed.jsonl" --model "$out" --report "$out.dev.json" --batch-size 64 > /dev/null
    python3 -c "import json,sys; r=json.load(open('$out.dev.json')); print(json.dumps({'dataset':'$ds','k':$k,'seed':$seed,'variant':'$name','dev_accuracy':r['metrics']['accuracy'] if 'metrics' in r else r['accuracy'],'train_seconds':round($end-$start,1)}))"
  done
done; done; done
