#!/usr/bin/env bash
# Drift validation on real shifts (README "Drift on real shifts"): builds predictions with a
# scikit-learn stand-in model, a reference profile, and runs `squire drift` on BANKING77
# test windows, SNIPS, SMS and 10/30/50% mixtures. Needs ../shared/data and scikit-learn;
# EMBED=1 adds all-MiniLM-L6-v2 embeddings (needs the model, Scripts/fetch-model.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-.build-drift-validation}"
python3 -c "import sklearn" 2>/dev/null || { echo "needs scikit-learn: pip install scikit-learn" >&2; exit 2; }
[ -d ../shared/data/banking77 ] || { echo "needs ../shared/data (BANKING77, SNIPS, SMS)" >&2; exit 2; }
swift build -c release --product squire >/dev/null
squire=.build/release/squire
profile_embeddings=()
if [ "${EMBED:-0}" = 1 ]; then
    # Every prediction also carries its all-MiniLM-L6-v2 embedding (about 2 minutes more).
    python3 Scripts/drift_validation.py texts "$work"
    "$squire" embed --input "$work/texts.jsonl" --output "$work/embeddings.jsonl"
    profile_embeddings=(--embeddings "$work/validation-embeddings.jsonl")
else
    rm -f "$work/embeddings.jsonl"
fi
python3 Scripts/drift_validation.py prepare "$work"
"$squire" profile --data "$work/validation.jsonl" --answers "$work/validation-answers.jsonl" --output "$work/profile.json" --window-size 500 --model-version v1 "${profile_embeddings[@]}"
for name in test-windows snips sms mix-10 mix-30 mix-50; do
    # Each file is judged from a fresh monitor; exit 1 (retrain) is an expected outcome here.
    "$squire" drift --reference "$work/profile.json" --current "$work/$name.jsonl" --json > "$work/$name.decisions.json" || [ $? -eq 1 ]
done
python3 Scripts/drift_validation.py summarize "$work"
