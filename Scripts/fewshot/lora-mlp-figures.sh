#!/bin/sh
# Issue #33's full-data LoRA target: LoRA (rank 8, alpha 16 on query and value) with an MLP
# classifier (`squire train --recipe lora --hidden 512`) on BANKING77's whole training split,
# scored on its test split, beside PEFT's same recipe (Scripts/peers/peft-lora.py accuracy …
# 512 SEED, torch in .build-model2vec/venv with peft 0.21.2). Appends one JSON line per run to
# RESULTS (default Scripts/fewshot/lora-mlp-results.jsonl) and skips runs already there.
# About 20 minutes a Squire run and 30 a PEFT run on a 2-core machine.
# Usage: Scripts/fewshot/lora-mlp-figures.sh [SEEDS] [WHO]   (default "0 1 2" "squire peft")
set -e
cd "$(dirname "$0")/../.."
S=${SQUIRE:-.build/release/squire}
W=${WORK:-.build-fewshot/lora-mlp}
R=${RESULTS:-Scripts/fewshot/lora-mlp-results.jsonl}
DATA=${DATA:-../shared/data}
MODEL=${MODEL:-$HOME/.cache/squire/models/all-MiniLM-L6-v2}
PYTHON=${PYTHON:-.build-model2vec/venv/bin/python}
mkdir -p "$W"
touch "$R"
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
for seed in ${1:-0 1 2}; do for who in ${2:-squire peft}; do
  run="banking77-lora-mlp-$who-s$seed"
  grep -q "\"run\": \"$run\"" "$R" && continue
  start=$(date +%s.%N)
  if [ "$who" = squire ]; then
    $S train --recipe lora --hidden 512 --data "$DATA/banking77/train.jsonl" --output "$W/$run" --seed "$seed" \
      --force --json > "$W/$run.train.json" 2> "$W/$run.log"
    end=$(date +%s.%N)
    $S eval --data "$DATA/banking77/test.jsonl" --model "$W/$run" --report "$W/$run.test.json" --batch-size 64 > /dev/null
    accuracy=$(python3 -c "import json; print(json.load(open('$W/$run.test.json'))['metrics']['accuracy'])")
  else
    $PYTHON Scripts/peers/peft-lora.py accuracy "$MODEL" "$DATA/banking77/train.jsonl" "$DATA/banking77/test.jsonl" \
      8 16 query,value 4 512 "$seed" > "$W/$run.json" 2> "$W/$run.log"
    end=$(date +%s.%N)
    accuracy=$(python3 -c "import json; print(json.load(open('$W/$run.json'))['test_accuracy'])")
  fi
  python3 -c "import json; print(json.dumps({'run': '$run', 'who': '$who', 'seed': $seed, 'test_accuracy': $accuracy, 'seconds': round($end - $start, 1), 'cpu': '$cpu'}))" >> "$R"
  tail -1 "$R"
done; done
