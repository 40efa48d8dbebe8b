#!/usr/bin/env bash
# The static tier's quality next to the encoder's: `squire distill-static`, then `squire embed`
# of BANKING77 and SNIPS with both models, then the same scikit-learn logistic head on each
# (Scripts/figures/static-quality.py, run from the venv of Scripts/fixtures/static-requirements.txt).
# About 3 minutes on 2 cores. Usage: Scripts/figures/static-quality.sh [WORK]
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-.build-static-quality}
python=${PYTHON:-.build-model2vec/venv/bin/python}
mkdir -p "$work"
swift build -c release --product squire >/dev/null
squire=.build/release/squire
[ -d "$work/minilm-static" ] || "$squire" distill-static --output "$work/minilm-static"
for dataset in banking77 snips; do
    for split in train test; do
        input=../shared/data/$dataset/$split.jsonl
        [ -f "$work/$dataset-$split-static.jsonl" ] ||
            "$squire" embed --model "$work/minilm-static" --input "$input" --output "$work/$dataset-$split-static.jsonl"
        [ -f "$work/$dataset-$split-encoder.jsonl" ] ||
            "$squire" embed --input "$input" --output "$work/$dataset-$split-encoder.jsonl"
    done
done
"$python" Scripts/figures/static-quality.py "$work" banking77 snips
