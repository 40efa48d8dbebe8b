#!/usr/bin/env bash
# Cascade calibration on BANKING77 (Documentation/Figures.md, "Routing on BANKING77"): the answers of Squire's
# logistic classifier (trained by Scripts/figures/drift-validation.sh, which this runs first when its
# files are missing) on the test split, with the labels standing in for a perfect frontier
# model. Needs ../shared/data, numpy and the model.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-.build-drift-validation}"
[ -f "$work/test-predictions.jsonl" ] || Scripts/figures/drift-validation.sh "$work" >/dev/null
swift build -c release --product squire >/dev/null
for target in 0.95 0.98; do
    # Illustrative prices: a local call at $0.01 per 1,000, a frontier call at $2.50 per 1,000.
    .build/release/squire route --predictions "$work/test-predictions.jsonl" --reference "$work/test-labels.jsonl" \
        --target-accuracy "$target" --local-cost-per-1000 0.01 --fallback-cost-per-1000 2.5
    echo
done
