"""Convert embeddings JSONL -> .npy caches, check row alignment with label files,
and write readable label-name text files for embedding."""
import json, re, numpy as np, os, sys
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.."))
# The embeddings Scripts/figures/static-tiers.sh leaves behind (squire embed of train and test,
# encoder and static model), the shared datasets, and a cache beside them.
EMB = os.environ.get("EMBEDDINGS", f"{ROOT}/.build-static-quality")
DATA = os.environ.get("DATA", f"{ROOT}/../shared/data")
OUT = os.environ.get("CACHE", f"{ROOT}/.build-fewshot-frozen")
os.makedirs(OUT, exist_ok=True)

def readable(label):
    s = label.strip("?").replace("_", " ")
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", s)   # CamelCase -> words
    return s.lower().strip()

def load_emb(path):
    texts, embs = [], []
    with open(path) as f:
        for line in f:
            o = json.loads(line); texts.append(o["text"]); embs.append(o["embedding"])
    return texts, np.asarray(embs, dtype=np.float32)

for ds in ["banking77", "snips"]:
    for split in ["train", "test"]:
        rows = [json.loads(l) for l in open(f"{DATA}/{ds}/{split}.jsonl")]
        labels = [r["label"] for r in rows]
        np.save(f"{OUT}/{ds}-{split}-labels.npy", np.array(labels))
        for kind in ["encoder", "static"]:
            p = f"{EMB}/{ds}-{split}-{kind}.jsonl"
            if not os.path.exists(p):
                p = f"{os.path.dirname(OUT)}/{ds}-{split}-{kind}.jsonl"
            texts, X = load_emb(p)
            assert len(texts) == len(rows), (p, len(texts), len(rows))
            mism = sum(t != r["text"] for t, r in zip(texts, rows))
            assert mism == 0, (p, mism)
            np.save(f"{OUT}/{ds}-{split}-{kind}.npy", X)
            print(ds, split, kind, X.shape, "norm~", float(np.linalg.norm(X, axis=1).mean()))
    names = sorted(set(np.load(f"{OUT}/{ds}-train-labels.npy").tolist()))
    with open(f"{OUT}/{ds}-names.txt", "w") as f:
        for n in names: f.write(readable(n) + "\n")
    json.dump(names, open(f"{OUT}/{ds}-names.json", "w"))

# Embed the readable label names with the same encoder / static model, then cache as .npy
import subprocess
SQUIRE = f"{ROOT}/.build/release/squire"
STATIC = f"{EMB}/minilm-static"
for ds in ["banking77", "snips"]:
    for kind, extra in [("encoder", []), ("static", ["--model", STATIC])]:
        out = f"{OUT}/{ds}-names-{kind}.jsonl"
        if not os.path.exists(out):
            subprocess.run([SQUIRE, "embed", *extra, "--input", f"{OUT}/{ds}-names.txt", "--output", out], check=True)
        rows = [json.loads(l) for l in open(out)]
        names = [l.rstrip("\n") for l in open(f"{OUT}/{ds}-names.txt")]
        assert [r["text"] for r in rows] == names
        np.save(f"{OUT}/{ds}-names-{kind}.npy", np.array([r["embedding"] for r in rows], dtype=np.float32))
print("prep done")

# Label names in a few generic template sentences (fixed in advance, same for every dataset),
# label-major order: label 0 x T templates, label 1 x T templates, ...
TEMPLATES = ["{n}", "{n}?", "I need help with {n}", "a question about {n}"]
for ds in ["banking77", "snips"]:
    names = [l.rstrip("\n") for l in open(f"{OUT}/{ds}-names.txt")]
    texts = [t.format(n=n) for n in names for t in TEMPLATES]
    src = f"{OUT}/{ds}-names-tmpl.txt"
    open(src, "w").write("\n".join(texts) + "\n")
    out = f"{OUT}/{ds}-names-tmpl-encoder.jsonl"
    if not os.path.exists(out):
        subprocess.run([SQUIRE, "embed", "--input", src, "--output", out], check=True)
    rows = [json.loads(l) for l in open(out)]
    assert [r["text"] for r in rows] == texts
    np.save(f"{OUT}/{ds}-names-tmpl-encoder.npy", np.array([r["embedding"] for r in rows], dtype=np.float32))
print("templates done")
