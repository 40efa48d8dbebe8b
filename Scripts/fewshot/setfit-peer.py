"""SetFit few-shot accuracy, the peer figure issue #33 compares against.

For each sample SAMPLES/{dataset}-k{k}-s{seed}.jsonl (Scripts/fewshot/sample.py) this fine-tunes
SetFit on it and scores on the full test split DATA/{dataset}/test.jsonl. Settings (the issue's):
body all-MiniLM-L6-v2 (the local sentence-transformers folder MODEL), num_iterations=20, one
epoch, batch size 16, SetFit's default loss (CosineSimilarityLoss) and default head
(scikit-learn LogisticRegression), seed = the sample's seed.

Each run's record: dataset, k, seed, test accuracy, wall-clock seconds of trainer.train()
(contrastive body fine-tuning plus the head fit), pairs and optimizer steps, library versions,
torch threads, CPU model. Results go to OUT (default Scripts/fewshot/setfit-results.json), rewritten
atomically after every run; runs already in it are skipped, so an interrupted run resumes.

Usage: python Scripts/fewshot/setfit-peer.py [--only banking77-k8-s0,snips-k16-s2] [--threads N]
Env: DATA (default ../shared/data beside the repository), MODEL (default
~/.cache/squire/models/all-MiniLM-L6-v2), SAMPLES (default .build-fewshot/samples), OUT.
Smoke test only: SMOKE_ITERATIONS=N replaces num_iterations=20 by N and writes to
.build-setfit/smoke-results.json (never to the committed results; OUT may not point there).
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
DATA = os.environ.get("DATA", f"{ROOT}/../shared/data")
MODEL = os.path.expanduser(os.environ.get("MODEL", "~/.cache/squire/models/all-MiniLM-L6-v2"))
SAMPLES = os.environ.get("SAMPLES", f"{ROOT}/.build-fewshot/samples")
RESULTS = f"{ROOT}/Scripts/fewshot/setfit-results.json"
SMOKE = os.environ.get("SMOKE_ITERATIONS")
OUT = os.environ.get("OUT", f"{ROOT}/.build-setfit/smoke-results.json" if SMOKE else RESULTS)
if SMOKE and os.path.abspath(OUT) == os.path.abspath(RESULTS):
    sys.exit("setfit-peer: SMOKE_ITERATIONS runs are not written to setfit-results.json")

NUM_ITERATIONS = int(SMOKE) if SMOKE else 20
NUM_EPOCHS = 1
BATCH_SIZE = 16
# All k = 8 runs first, then k = 16.
RUNS = [f"{d}-k{k}-s{s}" for k in [8, 16] for d in ["banking77", "snips"] for s in [0, 1, 2]]

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--only", help="comma list of runs, e.g. banking77-k8-s0,snips-k16-s2")
parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
args = parser.parse_args()
runs = RUNS
if args.only:
    runs = [r.strip() for r in args.only.split(",") if r.strip()]
    unknown = [r for r in runs if r not in RUNS]
    if unknown:
        sys.exit(f"setfit-peer: unknown runs {unknown}; known: {', '.join(RUNS)}")

# Thread counts before torch, numpy and scikit-learn load their thread pools; nothing from the hub.
for var in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"]:
    os.environ[var] = str(args.threads)
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import datasets  # noqa: E402
import sentence_transformers  # noqa: E402
import setfit  # noqa: E402
import sklearn  # noqa: E402
import transformers  # noqa: E402
from setfit import SetFitModel, Trainer, TrainingArguments  # noqa: E402

torch.set_num_threads(args.threads)
datasets.disable_progress_bars()


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def read_jsonl(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def load_results():
    if os.path.exists(OUT):
        return json.load(open(OUT))
    return {}


def save_results(results):
    os.makedirs(os.path.dirname(os.path.abspath(OUT)), exist_ok=True)
    with open(OUT + ".tmp", "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    os.replace(OUT + ".tmp", OUT)


results = load_results()
results["settings"] = {
    "body": "all-MiniLM-L6-v2 (local sentence-transformers folder)",
    "num_iterations": NUM_ITERATIONS,
    "num_epochs": NUM_EPOCHS,
    "batch_size": BATCH_SIZE,
    "loss": "CosineSimilarityLoss (SetFit default)",
    "head": "LogisticRegression (SetFit default)",
    "seed": "the sample's seed",
    "samples": "Scripts/fewshot/sample.py",
    "test": "full test split of ../shared/data/{dataset}/test.jsonl",
    **({"smoke": True} if SMOKE else {}),
}
results.setdefault("runs", {})

for run in runs:
    if run in results["runs"]:
        print(f"{run}: already in {OUT}, skipped", flush=True)
        continue
    dataset, kpart, spart = run.split("-")
    k, seed = int(kpart[1:]), int(spart[1:])
    train_rows = read_jsonl(f"{SAMPLES}/{run}.jsonl")
    test_rows = read_jsonl(f"{DATA}/{dataset}/test.jsonl")
    names = sorted({r["label"] for r in train_rows} | {r["label"] for r in test_rows})
    index = {n: i for i, n in enumerate(names)}
    train = datasets.Dataset.from_dict(
        {"text": [r["text"] for r in train_rows], "label": [index[r["label"]] for r in train_rows]})

    model = SetFitModel.from_pretrained(MODEL)
    training_args = TrainingArguments(
        output_dir=f"{ROOT}/.build-setfit/checkpoints",
        num_iterations=NUM_ITERATIONS,
        num_epochs=NUM_EPOCHS,
        batch_size=BATCH_SIZE,
        seed=seed,
        save_strategy="no",
        report_to="none",
        show_progress_bar=False,
        logging_steps=100,
    )
    trainer = Trainer(model=model, args=training_args, train_dataset=train)
    print(f"{run}: training on {len(train_rows)} examples, {len(names)} labels "
          f"(num_iterations={NUM_ITERATIONS}, {args.threads} thread(s))", flush=True)
    start = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - start

    st = getattr(trainer, "st_trainer", None)
    pairs = len(st.train_dataset) if st is not None and st.train_dataset is not None else None
    steps = st.state.global_step if st is not None else None

    start = time.perf_counter()
    predicted = np.asarray(model.predict([r["text"] for r in test_rows], batch_size=64, as_numpy=True))
    predict_seconds = time.perf_counter() - start
    gold = np.array([index[r["label"]] for r in test_rows])
    accuracy = float((predicted.astype(int) == gold).mean())

    results["runs"][run] = {
        "dataset": dataset,
        "k": k,
        "seed": seed,
        "train_examples": len(train_rows),
        "test_examples": len(test_rows),
        "accuracy": round(accuracy, 6),
        "train_seconds": round(train_seconds, 2),
        "predict_seconds": round(predict_seconds, 2),
        "training_pairs": pairs,
        "training_steps": steps,
        "num_iterations": NUM_ITERATIONS,
        "setfit": setfit.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "scikit_learn": sklearn.__version__,
        "torch_threads": torch.get_num_threads(),
        "cpu": cpu_model(),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    save_results(results)
    print(f"{run}: accuracy {accuracy * 100:.2f}% on {len(test_rows)} test examples, "
          f"train {train_seconds:.1f} s ({pairs} pairs, {steps} steps), predict {predict_seconds:.1f} s",
          flush=True)
    del trainer, model
