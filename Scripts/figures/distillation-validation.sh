#!/usr/bin/env bash
# SquireData on BANKING77 (Documentation/SquireData.md "Measured on BANKING77"): a LoRA
# teacher labels the training split with its probabilities (`squire label`), a tiny
# transformer is distilled from them and, for comparison, trained on the teacher's hard
# labels alone (`squire distill`), both measured on the test split beside the teacher; then
# `squire verify` checks the training split against the test split.
# Needs ../shared/data and the model (Scripts/setup/fetch-model.sh). TEACHER=path reuses a LoRA
# bundle; otherwise one is trained first (`squire train --lora`, about an hour on 2 cores).
# About 15 minutes with a teacher.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-.build-distillation-validation}"
data=../shared/data/banking77
[ -d "$data" ] || { echo "needs ../shared/data" >&2; exit 2; }
swift build -c release --product squire >/dev/null
squire=.build/release/squire
mkdir -p "$work"
teacher="${TEACHER:-$work/teacher}"
if [ ! -d "$teacher" ]; then
    "$squire" train --data "$data/train.jsonl" --lora rank=8,alpha=16,targets=query,value --output "$teacher"
fi
"$squire" label --input "$data/train.jsonl" --teacher "$teacher" --output "$work/train-labelled.jsonl"
"$squire" distill --data "$work/train-labelled.jsonl" --output "$work/student-soft" \
    --evaluation "$data/test.jsonl" --teacher "$teacher" --report "$work/soft.json"
"$squire" distill --data "$work/train-labelled.jsonl" --soft-weight 0 --output "$work/student-hard" \
    --evaluation "$data/test.jsonl" --report "$work/hard.json"
# Exit 1 from verify means examples wait for review: expected on this data.
"$squire" verify --data "$data/train.jsonl" --evaluation "$data/test.jsonl" --output "$work/train-verified.jsonl" || [ $? -eq 1 ]
du -sh "$teacher" "$work/student-soft"
