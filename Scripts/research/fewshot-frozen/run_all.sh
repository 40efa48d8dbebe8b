#!/bin/sh
# Few-shot recipes on frozen embeddings (issue #33's exploration), end to end: about 15–20 min
# on one core. Needs the embeddings of Scripts/figures/static-tiers.sh (run it first) and the
# venv of Scripts/fixtures/static-requirements.txt (numpy, scipy, scikit-learn).
# Usage: Scripts/research/fewshot-frozen/run_all.sh   (writes results.json, summary.json, table.md here)
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-../../../.build-model2vec/venv/bin/python}
$PY prep.py                      # caches .npy, embeds label names (+templates) with squire
rm -f results.json
$PY fewshot.py --out results.json  # all recipes × {banking77,snips} × k∈{8,16} × seeds 0,1,2
$PY summarize.py                 # summary.json + table.md
