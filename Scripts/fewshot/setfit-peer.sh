#!/usr/bin/env bash
# SetFit's few-shot accuracy, the peer figure of issue #33: SetFit 1.2.0 on all-MiniLM-L6-v2
# (num_iterations=20, one epoch, batch size 16, CosineSimilarityLoss, logistic head, seed = the
# sample's seed), trained on each of the 12 samples .build-fewshot/samples/{banking77,snips}-k{8,16}-s{0,1,2}.jsonl
# and scored on the full test splits. Results (accuracy, training seconds, pairs, steps, versions,
# threads, CPU) go to Scripts/fewshot/setfit-results.json after every run; runs already there are
# skipped, so it resumes where it stopped.
# Time on one thread of this 2-core machine: the BANKING77 runs dominate (20 × 2 pairs per example:
# 24,640 pairs at k = 8, 49,280 at k = 16); see train_seconds in the results for the measured figures.
# The SNIPS runs take a few minutes each. First call also makes .build-setfit/venv (a few minutes).
# Needs ../shared/data beside the repository and the model at ~/.cache/squire/models/all-MiniLM-L6-v2.
# Usage: Scripts/fewshot/setfit-peer.sh [--only banking77-k8-s0,snips-k16-s2] [--threads N]
#   env DATA, MODEL, SAMPLES, OUT override the paths; SMOKE_ITERATIONS=N is a smoke test only
#   (num_iterations=N, written to .build-setfit/smoke-results.json).
#   Long run in the background: setsid nohup nice -n 19 Scripts/fewshot/setfit-peer.sh --threads 1 > .build-fewshot/setfit.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.build-setfit/venv
requirements=Scripts/fewshot/setfit-requirements.txt
if [[ ! -x $venv/bin/python ]] || ! $venv/bin/python -c "import setfit" 2>/dev/null; then
    python3 -m venv "$venv"
    if compgen -G "/opt/wheels/torch-2.13.0+cpu-*.whl" >/dev/null; then
        $venv/bin/pip install -q -r "$requirements"
    else
        # No local CPU wheel: PyPI's torch of the same version (the CUDA build; runs on the CPU alike).
        sed 's/^torch==\(.*\)+cpu$/torch==\1/' "$requirements" > "$venv/requirements.txt"
        $venv/bin/pip install -q -r "$venv/requirements.txt"
    fi
fi
samples=${SAMPLES:-.build-fewshot/samples}
missing=0
for d in banking77 snips; do for k in 8 16; do for s in 0 1 2; do
    [[ -f $samples/$d-k$k-s$s.jsonl ]] || missing=1
done; done; done
if [[ $missing == 1 ]]; then
    $venv/bin/python Scripts/fewshot/sample.py "$samples"
fi
exec $venv/bin/python -u Scripts/fewshot/setfit-peer.py "$@"
