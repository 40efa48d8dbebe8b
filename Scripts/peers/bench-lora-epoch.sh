#!/usr/bin/env bash
# One epoch of LoRA fine-tuning, Squire against PEFT on torch (2 threads), interleaved round
# by round: the same texts, rank, alpha, targets, batch size and 256-token cut, AdamW, a
# linear classifier on mean-pooled normalized states (Scripts/peers/peft-lora.py epoch).
# Needs the peers' venv with peft (pip install --no-deps peft accelerate psutil) and the model.
# Usage: ROUNDS=3 EXAMPLES=1024 LORA=rank=8,alpha=16,targets=query,value Scripts/peers/bench-lora-epoch.sh [DATA.jsonl]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
examples=${EXAMPLES:-1024}
lora=${LORA:-rank=8,alpha=16,targets=query,value}
data=${1:-../shared/data/banking77/train.jsonl}
export PEERS_DIR=${PEERS_DIR:-$HOME/.cache/squire-peers}
python=$PEERS_DIR/venv/bin/python
model=${SQUIRE_MODEL_DIR:-$HOME/.cache/squire/models/all-MiniLM-L6-v2}
[[ -x $python ]] && $python -c "import peft" 2>/dev/null || { echo "bench-lora-epoch: needs the peers' venv with peft: bash ../shared/reference/peers/run_all.sh, then $python -m pip install --no-deps peft accelerate psutil" >&2; exit 2; }
[[ -f $data ]] || { echo "bench-lora-epoch: no $data (../shared/data beside the repository, or pass a .jsonl)" >&2; exit 2; }
swift build -c release --product squire >/dev/null 2>&1 || { echo "bench-lora-epoch: swift build failed" >&2; exit 1; }
subset=$(mktemp --suffix=.jsonl)
head -n "$examples" "$data" > "$subset"
rank=$(sed -E 's/.*rank=([0-9]+).*/\1/' <<<"$lora")
alpha=$(sed -E 's/.*alpha=([0-9.]+).*/\1/' <<<"$lora")
targets=$(sed -E 's/.*targets=([^=]*)(,[a-z]+=.*)?$/\1/' <<<"$lora")
ratios=()
for round in $(seq 1 "$rounds"); do
    squire=$(.build/release/squire bench --stage lora-epoch --input "$subset" --lora "$lora" --batch-size 32 --passes 1 --json |
        $python -c "import json,sys; print(json.load(sys.stdin)['results'][0]['epoch_seconds']['p50'])")
    peft=$($python Scripts/peers/peft-lora.py epoch "$model" "$subset" 32 "$rank" "$alpha" "$targets" 2>/dev/null | tail -1 |
        $python -c "import json,sys; print(json.load(sys.stdin)['epoch_seconds'])")
    echo "round $round: squire $squire s, peft $peft s per epoch of $examples examples"
    ratios+=("$($python -c "print($squire / $peft)")")
done
$python -c "import statistics,sys; r=[float(x) for x in sys.argv[1:]]; print(f'median epoch-time ratio squire / peft: {statistics.median(r):.2f} (rounds: {\", \".join(f\"{x:.2f}\" for x in r)}; below 1 is faster)')" "${ratios[@]}"
rm -f "$subset"
