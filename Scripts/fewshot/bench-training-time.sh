#!/bin/sh
# Issue #33's time target, interleaved: SetFit's training (Scripts/fewshot/setfit-peer.py, both
# cores) and the default recipe's whole `squire train` run (model load, embedding, comparison and
# final tuning included), alternated on one sample for ROUNDS rounds. SetFit's figure is its
# trainer's time alone (model load and scoring left out), so the ratio errs against Squire.
# Prints one JSON line per round and the median of the per-round ratios; run on a quiet machine.
# Usage: Scripts/fewshot/bench-training-time.sh [RUN] [ROUNDS]   (default snips-k8-s0 3)
#   e.g. Scripts/fewshot/bench-training-time.sh banking77-k8-s0 1
set -e
cd "$(dirname "$0")/../.."
RUN=${1:-snips-k8-s0}
ROUNDS=${2:-3}
S=${SQUIRE:-.build/release/squire}
D=${SAMPLES:-.build-fewshot/samples}
W=${WORK:-.build-fewshot/timing}
mkdir -p "$W"
[ -f "$D/$RUN.jsonl" ] || python3 Scripts/fewshot/sample.py "$D"
seed=${RUN##*-s}
lines=""
round=1
while [ "$round" -le "$ROUNDS" ]; do
  rm -f "$W/setfit-$RUN-$round.json"
  OUT="$W/setfit-$RUN-$round.json" Scripts/fewshot/setfit-peer.sh --only "$RUN" --threads 2 > "$W/setfit-$RUN-$round.log" 2>&1
  start=$(date +%s.%N)
  $S train --data "$D/$RUN.jsonl" --output "$W/squire-$RUN" --seed "$seed" --force > /dev/null 2> "$W/squire-$RUN-$round.log"
  end=$(date +%s.%N)
  line=$(python3 -c "
import json, sys
setfit = json.load(open('$W/setfit-$RUN-$round.json'))['runs']['$RUN']['train_seconds']
squire = $end - $start
print(json.dumps({'run': '$RUN', 'round': $round, 'setfit_train_seconds': setfit, 'squire_train_seconds': round(squire, 1), 'ratio': round(squire / setfit, 3)}))")
  echo "$line"
  lines="$lines$line
"
  round=$((round + 1))
done
printf '%s' "$lines" | python3 -c "
import json, statistics, sys
ratios = [json.loads(l)['ratio'] for l in sys.stdin if l.strip()]
print(json.dumps({'median_ratio': statistics.median(ratios), 'rounds': len(ratios), 'cpu': open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].split(chr(10))[0].strip()}))"
