"""Drift and routing validation on real data: BANKING77 against itself, SNIPS, SMS and mixtures.

    python3 Scripts/figures/drift-validation.py split WORKDIR     # fit.jsonl and validation.jsonl from BANKING77 train
    python3 Scripts/figures/drift-validation.py windows WORKDIR   # drift windows from `squire predict`'s output
    python3 Scripts/figures/drift-validation.py summarize WORKDIR # reads squire drift's JSON output

The local model is Squire's own: `squire train` (logistic head on frozen all-MiniLM-L6-v2
embeddings, C chosen and temperature fitted on the validation split) on 90% of BANKING77's
training split; the other 10% is the validation set the reference profile is built from.
Every prediction comes from `squire predict --embeddings`. Run by Scripts/figures/drift-validation.sh.
"""
import json
import os
import pathlib
import sys

import numpy as np

DATA = pathlib.Path(__file__).resolve().parents[3] / "shared/data"  # ../shared/data beside the repository, as the .sh checks
WINDOW = 500


def load(name, split):
    return [json.loads(line) for line in open(DATA / name / f"{split}.jsonl")]


def split(work):
    # A stratified 90/10 split with a fixed seed (SPLIT_SEED, default 0), without scikit-learn.
    rng = np.random.default_rng(int(os.environ.get("SPLIT_SEED", "0")))
    train = load("banking77", "train")
    by_label = {}
    for index, row in enumerate(train):
        by_label.setdefault(row["label"], []).append(index)
    held = set()
    for label in sorted(by_label):
        members = by_label[label]
        held.update(rng.choice(members, max(1, round(len(members) * 0.1)), replace=False).tolist())
    work.mkdir(parents=True, exist_ok=True)
    with open(work / "fit.jsonl", "w") as fit, open(work / "validation.jsonl", "w") as validation:
        for index, row in enumerate(train):
            target = validation if index in held else fit
            target.write(json.dumps({"id": str(index), "text": row["text"], "label": row["label"]}) + "\n")
    for name in ("banking77", "snips", "sms_spam"):
        with open(work / f"{name}-test.jsonl", "w") as f:
            for index, row in enumerate(load(name, "test")):
                record = {"id": str(index), "text": row["text"]}
                if name == "banking77":
                    record["label"] = row["label"]
                f.write(json.dumps(record) + "\n")


def windows(work):
    rng = np.random.default_rng(0)

    def predictions(name):
        return [json.loads(line) for line in open(work / f"{name}-predictions.jsonl")]

    test = predictions("banking77-test")
    # For `squire route`: the local model's answers and the correct labels, line by line.
    with open(work / "test-predictions.jsonl", "w") as p, open(work / "test-labels.jsonl", "w") as l:
        for o in test:
            p.write(json.dumps({"label": o["label"], "confidence": o["confidence"]}) + "\n")
            l.write(json.dumps({"label": o["true_label"]}) + "\n")
    snips = predictions("snips-test")
    sms = predictions("sms_spam-test")
    foreign = snips + sms

    def write(name, windows):
        with open(work / f"{name}.jsonl", "w") as f:
            for window in windows:
                for o in window:
                    f.write(json.dumps(o) + "\n")

    write("test-windows", [[test[i] for i in rng.choice(len(test), WINDOW, replace=False)] for _ in range(100)])
    write("snips", [[snips[i] for i in rng.choice(len(snips), WINDOW, replace=False)]])
    write("sms", [[sms[i] for i in rng.choice(len(sms), WINDOW, replace=False)]])
    realized = {}
    for share in (10, 30, 50):
        mixed = []
        for _ in range(20):
            k = WINDOW * share // 100
            window = [test[i] for i in rng.choice(len(test), WINDOW - k, replace=False)]
            window += [foreign[i] for i in rng.choice(len(foreign), k, replace=False)]
            order = rng.permutation(len(window))
            # Foreign requests have no correct BANKING77 label: every answer to them is wrong.
            mixed.append([{key: v for key, v in window[i].items() if key != "true_label"} for i in order])
            realized.setdefault(share, []).append(sum(o.get("true_label") == o["label"] for o in window) / WINDOW)
        write(f"mix-{share}", mixed)
    test_accuracy = sum(o["true_label"] == o["label"] for o in test) / len(test)
    (work / "truth.json").write_text(json.dumps({"test_accuracy": test_accuracy,
                                                  "mixture_realized": {str(k): v for k, v in realized.items()}}))
    print(f"test accuracy {test_accuracy:.4f}; files in {work}")


def summarize(work):
    truth = json.loads((work / "truth.json").read_text())
    profile = json.loads((work / "profile.json").read_text())
    shipped = profile["shipped_accuracy"]

    def decisions(name):
        return json.loads((work / f"{name}.decisions.json").read_text())

    rows = []
    test = decisions("test-windows")
    alarms = sum(d["window"]["alarming"] for d in test)
    signals = {}
    for d in test:
        for s in d["window"]["signals"]:
            signals[s["name"]] = signals.get(s["name"], 0) + s["exceeded"]
    retrains = sum(d["action"] != "hold" for d in test)
    rows.append(f"| BANKING77 test, {len(test)} random windows of {WINDOW} | {alarms}/{len(test)} windows alarm ({100 * alarms / len(test):.0f}%); {retrains} non-hold decisions "
                f"| per signal: {', '.join(f'{k} {v}' for k, v in sorted(signals.items()))} |")
    for name in ("snips", "sms"):
        first = decisions(name)[0]
        exceeded = [s["name"] for s in first["window"]["signals"] if s["exceeded"]]
        rows.append(f"| {name.upper()} traffic | first window alarms: {'yes' if first['window']['alarming'] else 'NO'} "
                    f"| signals beyond band and allowance: {', '.join(exceeded) or 'none'}; estimated accuracy {first['window']['estimated_accuracy']:.3f} |")
    for share in (10, 30, 50):
        ds = decisions(f"mix-{share}")
        detected = sum(d["window"]["alarming"] for d in ds)
        estimated_drop = np.mean([shipped - d["window"]["estimated_accuracy"] for d in ds])
        realized_drop = np.mean([shipped - r for r in truth["mixture_realized"][str(share)]])
        counts = {}
        for d in ds:
            for signal in d["window"]["signals"]:
                counts[signal["name"]] = counts.get(signal["name"], 0) + signal["exceeded"]
        first_retrain = next((d["window"]["index"] for d in ds if d["action"] == "retrain"), None)
        decided = f"retrain from window {first_retrain}" if first_retrain is not None else "no retrain decision"
        rows.append(f"| {share}% foreign (SNIPS + SMS) in BANKING77, {len(ds)} windows | {detected}/{len(ds)} windows alarm; {decided} "
                    f"| estimated accuracy drop {estimated_drop:.3f}, realized {realized_drop:.3f}; per signal: "
                    f"{', '.join(f'{k} {v}' for k, v in sorted(counts.items()))} |")
    print(f"Shipped accuracy (validation) {shipped:.4f}; BANKING77 test accuracy {truth['test_accuracy']:.4f}\n")
    print("| traffic | result | evidence |\n| --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    {"split": split, "windows": windows, "summarize": summarize}[sys.argv[1]](pathlib.Path(sys.argv[2]))
