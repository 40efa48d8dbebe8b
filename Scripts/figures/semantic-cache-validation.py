"""Labelled pairs for the semantic cache's figures (Scripts/figures/semantic-cache-validation.sh).

    python3 Scripts/figures/semantic-cache-validation.py WORK

Writes WORK/pairs.jsonl, one {"set", "id", "text1", "text2", "same"} line per pair, and
WORK/texts.jsonl, every distinct text once (for `squire embed`):

- paws-calibration, paws-report: PAWS-Wiki's dev pairs, split by the committed
  Scripts/figures/paws-wiki-dev-split.json (checked against the dev file's SHA-256);
  "same" is the paraphrase label.
- stsb-test, stsb-dev: STS-B's test and dev pairs scored at least 4 ("same") or at most 2
  ("different"); the pairs between are left out. Dev calibrates a second threshold, on
  ordinary paraphrases, for comparison.

Plain Python 3, no packages.
"""
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared/data"
work = pathlib.Path(sys.argv[1])
work.mkdir(parents=True, exist_ok=True)

split = json.loads((ROOT / "Scripts/figures/paws-wiki-dev-split.json").read_text())
dev = DATA / "paws-wiki/dev.jsonl"
if hashlib.sha256(dev.read_bytes()).hexdigest() != split["source_sha256"]:
    sys.exit(f"{dev} is not the file the split was made from (SHA-256 differs); see Scripts/fixtures/make-paws-split.py")
paws = {row["id"]: row for row in map(json.loads, dev.read_text(encoding="utf-8").splitlines())}

pairs = []
for name in ("calibration", "report"):
    for pair_id in split[name]:
        row = paws[pair_id]
        pairs.append({"set": f"paws-{name}", "id": str(pair_id), "text1": row["text1"], "text2": row["text2"],
                      "same": row["label"] == 1})
for name in ("test", "dev"):
    for row in map(json.loads, (DATA / f"stsb/{name}.jsonl").read_text(encoding="utf-8").splitlines()):
        if 2 < row["score"] < 4:
            continue
        pairs.append({"set": f"stsb-{name}", "id": f"{row['source']}/{row['year']}/{row['pair_id']}",
                      "text1": row["text1"], "text2": row["text2"], "same": row["score"] >= 4})

texts = list(dict.fromkeys(text for pair in pairs for text in (pair["text1"], pair["text2"])))
with open(work / "pairs.jsonl", "w", encoding="utf-8") as out:
    for pair in pairs:
        out.write(json.dumps(pair, ensure_ascii=False) + "\n")
with open(work / "texts.jsonl", "w", encoding="utf-8") as out:
    for text in texts:
        out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
counts = {}
for pair in pairs:
    counts.setdefault(pair["set"], [0, 0])[0 if pair["same"] else 1] += 1
print(f"{len(pairs)} pairs ({', '.join(f'{k}: {s} same, {d} different' for k, (s, d) in counts.items())}), "
      f"{len(texts)} distinct texts", file=sys.stderr)
