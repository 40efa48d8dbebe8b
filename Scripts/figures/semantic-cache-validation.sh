#!/usr/bin/env bash
# The semantic cache on labelled pairs (Documentation/Figures.md, "Semantic cache"): the
# similarity threshold calibrated for at most 1% false hits on PAWS-Wiki dev's calibration half
# (the committed split, Scripts/figures/paws-wiki-dev-split.json), then the hit rate ("same"
# pairs answered) and false-hit rate ("different" pairs answered) on the report half and on
# STS-B test (score >= 4 "same", <= 2 "different", the pairs between left out), beside
# exact-text matching, for float32 and int8 vectors. Embeds with all-MiniLM-L6-v2 through
# `squire embed`; the calibration and the check that a real SemanticCache answers exactly the
# pairs counted run in Benchmarks/Sources/SemanticCacheFigures.
# Needs ../shared/data (paws-wiki, stsb) and the model (Scripts/setup/fetch-model.sh); plain
# Python 3. About 2 minutes on 2 shared cores after the builds, most of it embedding the 10,000 or so texts
# (kept in WORK and reused while the texts are unchanged).
#
#   Scripts/figures/semantic-cache-validation.sh [WORK]     # default .build-semantic-cache-validation
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mkdir -p "${1:-.build-semantic-cache-validation}" && cd "${1:-.build-semantic-cache-validation}" && pwd)"
[ -d ../shared/data/paws-wiki ] && [ -d ../shared/data/stsb ] || { echo "needs ../shared/data (paws-wiki, stsb)" >&2; exit 2; }
python3 Scripts/figures/semantic-cache-validation.py "$work"
if ! { [ -f "$work/embeddings.jsonl" ] && cmp -s "$work/texts.jsonl" "$work/embedded-texts.jsonl"; }; then
    swift build -c release --product squire >/dev/null
    .build/release/squire embed --input "$work/texts.jsonl" --output "$work/embeddings.jsonl" --force
    cp "$work/texts.jsonl" "$work/embedded-texts.jsonl"
fi
cd Benchmarks
swift build -c release --product SemanticCacheFigures >/dev/null
.build/release/SemanticCacheFigures "$work"
