#!/usr/bin/env bash
# Squire's tokenizer against HF `tokenizers` (Tokenizer.encode, one sentence per call, one
# thread), interleaved, on the peer harness's 512 sentences, 8 passes a round.
# Usage: ROUNDS=3 Scripts/peers/bench-tokenizer.sh   (needs the peer venv; see Scripts/peers/bench-embed.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PEERS_DIR=${PEERS_DIR:-$HOME/.cache/squire-peers}
python=$PEERS_DIR/venv/bin/python
model=${SQUIRE_MODEL_DIR:-$HOME/.cache/squire/models/all-MiniLM-L6-v2}
sentences=$PEERS_DIR/sentences.txt
[[ -x $python && -f $sentences ]] || { echo "bench-tokenizer: set up the peers first (Scripts/peers/bench-embed.sh says how)" >&2; exit 2; }
swift build -c release --product squire >/dev/null
for round in $(seq 1 "${ROUNDS:-3}"); do
    RAYON_NUM_THREADS=1 $python - "$sentences" "$model" <<'PY'
import sys, time
from tokenizers import Tokenizer
t = Tokenizer.from_file(sys.argv[2] + "/tokenizer.json"); t.no_padding(); t.enable_truncation(256)
s = open(sys.argv[1]).read().splitlines()[:512]
for x in s: t.encode(x)
a = time.perf_counter()
for _ in range(8):
    for x in s: t.encode(x)
print(f"hf-tokenizers {8 * len(s) / (time.perf_counter() - a):.0f} sentences/s")
PY
    .build/release/squire bench --stage tokenize --input "$sentences" --batch-size 512 --passes 8 --json \
        | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print("squire %.0f sentences/s" % r["sentences_per_second"])'
done
