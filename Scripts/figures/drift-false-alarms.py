"""False alarms on unchanged traffic and detection delay on shifted traffic, for `squire drift`.

    python3 Scripts/figures/drift-false-alarms.py prepare WORK            # splits of BANKING77 and SNIPS
    python3 Scripts/figures/drift-false-alarms.py unchanged WORK DATASET SIZE LABELS OUT
    python3 Scripts/figures/drift-false-alarms.py shifted WORK OUTDIR     # the drift guide's shifted scenarios
    python3 Scripts/figures/drift-false-alarms.py slim DECISIONS.json      # drops the labelling queues
    python3 Scripts/figures/drift-false-alarms.py summarize WORK RESULTS

Each dataset gets a model (`squire train`, logistic head on frozen all-MiniLM-L6-v2) and a
reference profile (`squire profile --model`, windows of 500) from two disjoint parts of its
training split; unchanged traffic is drawn from a third part neither saw (BANKING77: the test
split; SNIPS: 3,300 more training rows and the test split). `squire predict --embeddings`
answers every pool once; each window of every size is then drawn i.i.d. from those answers:
200 windows per size, each `size` answers without replacement, with or without their true
labels. Run by Scripts/figures/drift-false-alarms.sh.
"""
import json
import pathlib
import sys

import numpy as np

DATA = pathlib.Path(__file__).resolve().parents[3] / "shared/data"  # ../shared/data beside the repository
SIZES = (100, 250, 500, 1000)
WINDOWS = 200
PROFILE_WINDOW = 500


def load(name, split):
    return [json.loads(line) for line in open(DATA / name / f"{split}.jsonl")]


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def prepare(work):
    rng = np.random.default_rng(0)
    # BANKING77: 90/10 of the training split, stratified, as Scripts/figures/drift-validation.py does;
    # the test split is the unseen pool.
    train = load("banking77", "train")
    by_label = {}
    for index, row in enumerate(train):
        by_label.setdefault(row["label"], []).append(index)
    held = set()
    for label in sorted(by_label):
        members = by_label[label]
        held.update(rng.choice(members, max(1, round(len(members) * 0.1)), replace=False).tolist())
    folder = work / "banking77"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"id": str(i), "text": r["text"], "label": r["label"]} for i, r in enumerate(train)]
    write_jsonl(folder / "fit.jsonl", [r for i, r in enumerate(rows) if i not in held])
    write_jsonl(folder / "validation.jsonl", [r for i, r in enumerate(rows) if i in held])
    write_jsonl(folder / "pool.jsonl", [{"id": f"t{i}", "text": r["text"], "label": r["label"]}
                                        for i, r in enumerate(load("banking77", "test"))])
    # SNIPS: a shuffled training split cut in three (validation, fit, unseen), the test split unseen too.
    train = load("snips", "train")
    order = rng.permutation(len(train))
    rows = [{"id": str(i), "text": train[i]["text"], "label": train[i]["label"]} for i in order]
    folder = work / "snips"
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "validation.jsonl", rows[:1000])
    write_jsonl(folder / "fit.jsonl", rows[1000:5000])
    write_jsonl(folder / "pool.jsonl", rows[5000:8300] + [{"id": f"t{i}", "text": r["text"], "label": r["label"]}
                                                        for i, r in enumerate(load("snips", "test"))])
    # Foreign traffic for the shifted scenarios, answered by the BANKING77 model.
    for name in ("snips", "sms_spam"):
        write_jsonl(work / "banking77" / f"foreign-{name}.jsonl",
                    [{"id": f"{name}{i}", "text": r["text"], "label": r["label"]} for i, r in enumerate(load(name, "test"))])


def observation(record, labelled):
    """What production would log: the answer, its text and embedding, the delayed label when `labelled`."""
    o = {"id": record["id"], "text": record["text"], "label": record["label"], "confidence": record["confidence"],
         "model_version": record["model_version"],
         # Four decimals keep the files a third the size; MMD² moves in the sixth.
         "embedding": [round(x, 4) for x in record["embedding"]]}
    if labelled:
        o["true_label"] = record["true_label"]
    return o


def predictions(path):
    return [json.loads(line) for line in open(path)]


def unchanged(work, dataset, size, labels, out):
    pool = predictions(work / dataset / "pool-predictions.jsonl")
    rng = np.random.default_rng(size)  # the same windows for every binary and both label settings
    with open(out, "w") as f:
        for _ in range(WINDOWS):
            for i in rng.choice(len(pool), size, replace=False):
                f.write(json.dumps(observation(pool[i], labels == "labels")) + "\n")


def shifted(work, out):
    """The drift guide's shifted traffic against the BANKING77 profile, windows of 500."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    test = predictions(work / "banking77" / "pool-predictions.jsonl")
    snips = predictions(work / "banking77" / "foreign-snips-predictions.jsonl")
    sms = predictions(work / "banking77" / "foreign-sms_spam-predictions.jsonl")
    foreign = snips + sms
    w = PROFILE_WINDOW

    def draw(pool, k):
        return [pool[i] for i in rng.choice(len(pool), k, replace=False)]

    scenarios = {"snips": [draw(snips, w) for _ in range(6)], "sms": [draw(sms, w) for _ in range(6)]}
    realized = {}
    for share in (10, 30, 50):
        windows = []
        for _ in range(20):
            k = w * share // 100
            window = draw(test, w - k) + draw(foreign, k)
            windows.append([window[i] for i in rng.permutation(w)])
        scenarios[f"mix-{share}"] = windows
        realized[share] = float(np.mean([sum(o["label"] == o.get("true_label") for o in x) / w for x in windows]))
    for name, windows in scenarios.items():
        write_jsonl(out / f"{name}.jsonl", [observation(o, False) for x in windows for o in x])
    # Delayed labels on the 30% mixture: each foreign request labelled with its own intent
    # (SNIPS's `PlayMusic`, SMS's `spam`), which the BANKING77 profile has never seen.
    write_jsonl(out / "mix-30-labelled.jsonl", [observation(o, True) for x in scenarios["mix-30"] for o in x])
    (out / "truth.json").write_text(json.dumps({"mixture_realized": realized}))


def slim(path):
    """Drops the labelling queues (50 answers with embeddings per retrain) from a decisions file."""
    text = path.read_text()
    if text.strip():
        decisions = json.loads(text)
        for d in decisions:
            d.pop("labelling_queue", None)
        path.write_text(json.dumps(decisions))


def summarize(work, results):
    def decisions(path):
        return json.loads(path.read_text()) if path.exists() and path.stat().st_size else None

    def flagged(ds):
        return sum(any(s["exceeded"] for s in d["window"]["signals"]) for d in ds)

    def nonhold(ds):
        return "(failed)" if ds is None else f"{sum(d['action'] != 'hold' for d in ds)}"

    def alarming(ds):
        return "(failed)" if ds is None else f"{100 * sum(d['window']['alarming'] for d in ds) / len(ds):.1f}%"

    # A window alarms when it counts against the budget; with 30 or more delayed labels only the
    # realized accuracy can make it, and signals beyond their bands are reported, not counted.
    print("| dataset | window | alarming, no labels | alarming, with labels | any signal beyond band and allowance, no labels "
          "| by signal | non-hold decisions, no labels | non-hold decisions, with labels |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for dataset in ("banking77", "snips"):
        for size in SIZES:
            blind = decisions(results / f"{dataset}-{size}-nolabels.json")
            labelled = decisions(results / f"{dataset}-{size}-labels.json")
            if blind is None:
                print(f"| {dataset} | {size} | (not run) | | | | | |")
                continue
            by_signal = {}
            for d in blind:
                for s in d["window"]["signals"]:
                    by_signal[s["name"]] = by_signal.get(s["name"], 0) + s["exceeded"]
            signals = ", ".join(f"{k} {v}" for k, v in sorted(by_signal.items()) if v)
            print(f"| {dataset} | {size} | {alarming(blind)} | {alarming(labelled)} | {100 * flagged(blind) / len(blind):.1f}% "
                  f"| {signals or '—'} | {nonhold(blind)}/{len(blind)} | {nonhold(labelled)}/{len(blind)} |")
    print()
    truth = json.loads((work / "shifted" / "truth.json").read_text()) if (work / "shifted" / "truth.json").exists() else {}
    print("| shifted traffic (BANKING77 profile, windows of 500) | windows | alarming | first non-hold decision "
          "| detection delay (windows) | first reason |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("snips", "sms", "mix-10", "mix-30", "mix-50", "mix-30-labelled"):
        ds = decisions(results / f"shifted-{name}.json")
        if ds is None:
            error = (results / f"shifted-{name}.err")
            reason = error.read_text().strip()[:90] if error.exists() else ""
            print(f"| {name} | | | refused: {reason} | — | |")
            continue
        alarming = sum(d["window"]["alarming"] for d in ds)
        first = next((d for d in ds if d["action"] != "hold"), None)
        decided = f"{first['action']} at window {first['window']['index']}" if first else "none"
        delay = first["window"]["index"] + 1 if first else "not caught"
        reason = first["reasons"][0] if first else ""
        print(f"| {name} | {len(ds)} | {alarming} | {decided} | {delay} | {reason} |")
    if truth:
        print("\nRealized accuracy of the mixtures (mean over windows): "
              + ", ".join(f"{k}% foreign {v:.3f}" for k, v in truth["mixture_realized"].items()))


if __name__ == "__main__":
    command, work = sys.argv[1], pathlib.Path(sys.argv[2])
    if command == "prepare":
        prepare(work)
    elif command == "unchanged":
        unchanged(work, sys.argv[3], int(sys.argv[4]), sys.argv[5], pathlib.Path(sys.argv[6]))
    elif command == "shifted":
        shifted(work, pathlib.Path(sys.argv[3]))
    elif command == "slim":
        slim(work)
    elif command == "summarize":
        summarize(work, pathlib.Path(sys.argv[3]))
