"""The few-shot samples every few-shot figure uses (issue #33): k examples per label from the
shared BANKING77 and SNIPS training splits, for seeds 0, 1, 2 and k = 8, 16.

The sampler is the one Scripts/research/fewshot-frozen/fewshot.py uses, so its frozen-embedding
figures and these files agree: for seed s and k, rng = numpy.random.default_rng(s) is created
once; for each label in sorted order, rng.choice(line numbers of that label in train.jsonl,
ascending, size=k, replace=False). The k = 8 and k = 16 samples of one seed are independent.

Writes SAMPLES/{dataset}-k{k}-s{seed}.jsonl ({"text","label"} rows, label-major order),
SAMPLES/{dataset}-dev-s{seed}.jsonl (1,000 training texts in neither sample of that seed, drawn
with default_rng(1000 + seed): for choosing recipes without looking at the test split) and
SAMPLES/{dataset}-names.json ({label: readable name}). Needs numpy only.
Usage: python Scripts/fewshot/sample.py [SAMPLES]   (default .build-fewshot/samples)
"""
import json
import os
import re
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
DATA = os.environ.get("DATA", f"{ROOT}/../shared/data")
OUT = sys.argv[1] if len(sys.argv) > 1 else f"{ROOT}/.build-fewshot/samples"
os.makedirs(OUT, exist_ok=True)


def readable(label):
    """A label as words: snake_case and CamelCase split, lower-cased ("card_arrival" → "card arrival")."""
    s = label.strip("?").replace("_", " ")
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", s)
    return s.lower().strip()


def write_rows(path, rows):
    """{"text","label"} rows as JSON lines, written atomically."""
    with open(path + ".tmp", "w") as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "label": r["label"]}) + "\n")
    os.replace(path + ".tmp", path)
    print(path, len(rows))


for dataset in ["banking77", "snips"]:
    rows = [json.loads(line) for line in open(f"{DATA}/{dataset}/train.jsonl")]
    labels = np.array([r["label"] for r in rows])
    names = sorted(set(labels.tolist()))
    json.dump({n: readable(n) for n in names}, open(f"{OUT}/{dataset}-names.json", "w"), indent=1)
    sampled = {0: set(), 1: set(), 2: set()}
    for k in [8, 16]:
        for seed in [0, 1, 2]:
            rng = np.random.default_rng(seed)
            chosen = []
            for name in names:
                lines = np.flatnonzero(labels == name)
                chosen.extend(rng.choice(lines, size=k, replace=False).tolist())
            sampled[seed].update(rows[i]["text"] for i in chosen)
            write_rows(f"{OUT}/{dataset}-k{k}-s{seed}.jsonl", [rows[i] for i in chosen])
    for seed in [0, 1, 2]:
        pool = [r for r in rows if r["text"] not in sampled[seed]]
        order = np.random.default_rng(1000 + seed).permutation(len(pool))[:1000]
        write_rows(f"{OUT}/{dataset}-dev-s{seed}.jsonl", [pool[i] for i in order])
