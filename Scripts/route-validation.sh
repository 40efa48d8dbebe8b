#!/usr/bin/env bash
# Cascade calibration on BANKING77 (README "Routing on BANKING77"): the stand-in local
# classifier's answers on the test split, with the labels standing in for a perfect
# frontier model. Needs ../shared/data and scikit-learn.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-.build-route-validation}"
python3 -c "import sklearn" 2>/dev/null || { echo "needs scikit-learn: pip install scikit-learn" >&2; exit 2; }
[ -d ../shared/data/banking77 ] || { echo "needs ../shared/data (BANKING77)" >&2; exit 2; }
swift build -c release --product squire >/dev/null
python3 Scripts/drift_validation.py prepare "$work" >/dev/null
for target in 0.95 0.98; do
    # Illustrative prices: a local call at $0.01 per 1,000, a frontier call at $2.50 per 1,000.
    .build/release/squire route --predictions "$work/test-predictions.jsonl" --reference "$work/test-labels.jsonl" \
        --target-accuracy "$target" --local-cost-per-1000 0.01 --fallback-cost-per-1000 2.5
    echo
done
