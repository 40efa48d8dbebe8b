#!/usr/bin/env bash
# Drift validation on real shifts (Documentation/Figures.md, "Drift on real shifts"): trains Squire's logistic
# classifier on 90% of BANKING77's training split, builds the reference profile on the other
# 10% with `squire profile --model`, and runs `squire drift` on BANKING77 test windows, SNIPS,
# SMS and 10/30/50% mixtures, every prediction (with its embedding) from `squire predict`.
# Needs ../shared/data, numpy and the model (Scripts/setup/fetch-model.sh). About 4 minutes.
# SPLIT_SEED=n draws another 90/10 split (default 0), to see how much the reference sample matters.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-.build-drift-validation}"
python3 -c "import numpy" 2>/dev/null || { echo "needs numpy: pip install numpy" >&2; exit 2; }
[ -d ../shared/data/banking77 ] || { echo "needs ../shared/data (BANKING77, SNIPS, SMS)" >&2; exit 2; }
swift build -c release --product squire >/dev/null
squire=.build/release/squire
python3 Scripts/figures/drift-validation.py split "$work"
"$squire" train --recipe logistic --data "$work/fit.jsonl" --validation "$work/validation.jsonl" --output "$work/bundle" >"$work/train.log" 2>&1
for name in banking77-test snips-test sms_spam-test; do
    "$squire" predict --model "$work/bundle" --input "$work/$name.jsonl" --output "$work/$name-predictions.jsonl" --embeddings 2>/dev/null
done
python3 Scripts/figures/drift-validation.py windows "$work"
"$squire" profile --data "$work/validation.jsonl" --model "$work/bundle" --output "$work/profile.json" --window-size 500 2>/dev/null
for name in test-windows snips sms mix-10 mix-30 mix-50; do
    # Each file is judged from a fresh monitor; exit 1 (retrain) is an expected outcome here.
    "$squire" drift --reference "$work/profile.json" --current "$work/$name.jsonl" --json > "$work/$name.decisions.json" || [ $? -eq 1 ]
done
python3 Scripts/figures/drift-validation.py summarize "$work"
