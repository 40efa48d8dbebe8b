"""Drift and routing validation on real data: BANKING77 against itself, SNIPS, SMS and mixtures.

    python3 Scripts/drift_validation.py texts WORKDIR     # every text, one per line, for `squire embed`
    python3 Scripts/drift_validation.py prepare WORKDIR   # predictions files (needs scikit-learn)
    python3 Scripts/drift_validation.py summarize WORKDIR # reads squire drift's JSON output

The local model is a scikit-learn TF-IDF logistic regression trained on 90% of BANKING77's
training split, temperature-scaled on the other 10% (the validation set the reference
profile is built from). It stands in for Squire's own classifier until `squire train`
exists; the drift checks only see its predictions. Run by Scripts/drift-validation.sh.
"""
import json
import pathlib
import sys

import numpy as np

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared/data"
WINDOW = 500


def load(name, split):
    return [json.loads(line) for line in open(DATA / name / f"{split}.jsonl")]


def all_texts():
    return [r["text"] for name, split in (("banking77", "train"), ("banking77", "test"), ("snips", "test"), ("sms_spam", "test"))
            for r in load(name, split)]


def texts(work):
    work.mkdir(parents=True, exist_ok=True)
    with open(work / "texts.jsonl", "w") as f:
        for text in all_texts():
            f.write(json.dumps({"text": text}) + "\n")


def prepare(work):
    # With WORKDIR/embeddings.jsonl (from `squire embed`), every prediction carries its
    # all-MiniLM-L6-v2 embedding, rounded to 4 decimals to keep the files small.
    embeddings = {}
    if (work / "embeddings.jsonl").exists():
        for line in open(work / "embeddings.jsonl"):
            r = json.loads(line)
            embeddings[r["text"]] = [round(x, 4) for x in r["embedding"]]

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(0)
    train = load("banking77", "train")
    fit, validation = train_test_split(train, test_size=0.1, stratify=[r["label"] for r in train], random_state=0)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(C=10, max_iter=2000).fit(vectorizer.fit_transform([r["text"] for r in fit]), [r["label"] for r in fit])
    classes = list(model.classes_)

    def logits(texts):
        return model.decision_function(vectorizer.transform(texts))

    # Temperature scaling on the validation split: the shipped model's confidences are calibrated.
    val_logits = logits([r["text"] for r in validation])
    val_truth = np.array([classes.index(r["label"]) for r in validation])
    def nll(t):
        z = val_logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(val_truth)), val_truth].mean()
    temperature = min(np.linspace(0.05, 3, 300), key=nll)

    def predict(rows, truth=True):
        z = logits([r["text"] for r in rows]) / temperature
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out = []
        for r, row in zip(rows, p):
            k = int(row.argmax())
            o = {"text": r["text"], "label": classes[k], "confidence": float(row[k]), "model_version": "v1"}
            if r["text"] in embeddings:
                o["embedding"] = embeddings[r["text"]]
            if truth:
                o["true_label"] = r["label"]
            out.append(o)
        return out

    work.mkdir(parents=True, exist_ok=True)
    with open(work / "validation.jsonl", "w") as f, open(work / "validation-answers.jsonl", "w") as a:
        for i, (r, o) in enumerate(zip(validation, predict(validation))):
            f.write(json.dumps({"id": str(i), "text": r["text"], "label": r["label"]}) + "\n")
            a.write(json.dumps({"id": str(i), "label": o["label"], "confidence": o["confidence"]}) + "\n")
    if embeddings:
        with open(work / "validation-embeddings.jsonl", "w") as f:
            for r in validation:
                f.write(json.dumps({"text": r["text"], "embedding": embeddings[r["text"]]}) + "\n")

    test = predict(load("banking77", "test"))
    # For `squire route`: the local model's answers and the correct labels, line by line.
    with open(work / "test-predictions.jsonl", "w") as p, open(work / "test-labels.jsonl", "w") as l:
        for o in test:
            p.write(json.dumps({"label": o["label"], "confidence": o["confidence"]}) + "\n")
            l.write(json.dumps({"label": o["true_label"]}) + "\n")
    snips = predict(load("snips", "test"), truth=False)
    sms = predict(load("sms_spam", "test"), truth=False)
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
        windows = []
        for _ in range(20):
            k = WINDOW * share // 100
            window = [test[i] for i in rng.choice(len(test), WINDOW - k, replace=False)]
            window += [foreign[i] for i in rng.choice(len(foreign), k, replace=False)]
            order = rng.permutation(len(window))
            # Foreign requests have no correct BANKING77 label: every answer to them is wrong.
            windows.append([{key: v for key, v in window[i].items() if key != "true_label"} for i in order])
            realized.setdefault(share, []).append(sum(o.get("true_label") == o["label"] for o in window) / WINDOW)
        write(f"mix-{share}", windows)
    test_accuracy = sum(o["true_label"] == o["label"] for o in test) / len(test)
    (work / "truth.json").write_text(json.dumps({"temperature": float(temperature), "test_accuracy": test_accuracy,
                                                  "mixture_realized": {str(k): v for k, v in realized.items()}}))
    print(f"temperature {temperature:.3f}; test accuracy {test_accuracy:.4f}; files in {work}")


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
                    f"| signals beyond band: {', '.join(exceeded) or 'none'}; estimated accuracy {first['window']['estimated_accuracy']:.3f} |")
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
    print(f"Shipped accuracy (validation) {shipped:.4f}; BANKING77 test accuracy {truth['test_accuracy']:.4f}; temperature {truth['temperature']:.3f}\n")
    print("| traffic | result | evidence |\n| --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    {"texts": texts, "prepare": prepare, "summarize": summarize}[sys.argv[1]](pathlib.Path(sys.argv[2]))
