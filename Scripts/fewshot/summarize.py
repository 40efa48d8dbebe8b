"""The few-shot table of Documentation/Figures.md and the guide, from the committed results:
Scripts/fewshot/fewshot-results.jsonl (Scripts/fewshot/fewshot-figures.sh) and
Scripts/fewshot/setfit-results.json (Scripts/fewshot/setfit-peer.sh). Means over the seeds a
row has; a cell says how many seeds it holds when fewer than three. Then the full-data LoRA +
MLP-head table from Scripts/fewshot/lora-mlp-results.jsonl (Scripts/fewshot/lora-mlp-figures.sh).
Usage: python3 Scripts/fewshot/summarize.py
"""
import json
import os
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
rows = [json.loads(line) for line in open(f"{HERE}/fewshot-results.jsonl") if line.strip()]
setfit = json.load(open(f"{HERE}/setfit-results.json"))["runs"]
cells = defaultdict(list)      # (dataset, k, column) -> accuracies
seconds = defaultdict(list)
chose = defaultdict(list)
for r in rows:
    column = "default recipe" if r["recipe"] == "default" else "frozen logistic head"
    cells[(r["dataset"], r["k"], column)].append(r["test_accuracy"])
    seconds[(r["dataset"], r["k"], column)].append(r["train_seconds"])
    if r["recipe"] == "default":
        chose[(r["dataset"], r["k"])].append(r["chose"])
for run in setfit.values():
    cells[(run["dataset"], run["k"], "SetFit")].append(run["accuracy"])
    seconds[(run["dataset"], run["k"], "SetFit")].append(run["train_seconds"])


def cell(values):
    if not values:
        return "—"
    text = f"{100 * sum(values) / len(values):.2f}"
    return text if len(values) == 3 else f"{text} ({len(values)} seed{'s' if len(values) > 1 else ''})"


print("| data | per label | frozen logistic head | SetFit | default recipe | Δ vs max(frozen, SetFit) | chose |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for dataset in ["banking77", "snips"]:
    for k in [8, 16]:
        frozen, peer, ours = (cells[(dataset, k, c)] for c in ["frozen logistic head", "SetFit", "default recipe"])
        bar = max([sum(v) / len(v) for v in (frozen, peer) if v] or [0])
        delta = f"{100 * (sum(ours) / len(ours) - bar):+.2f}" if ours and bar else "—"
        print(f"| {dataset} | {k} | {cell(frozen)} | {cell(peer)} | {cell(ours)} | {delta} | {', '.join(chose[(dataset, k)])} |")
print()
print("| data | per label | frozen logistic head, s | SetFit, s | default recipe, s |")
print("| --- | --- | --- | --- | --- |")
for dataset in ["banking77", "snips"]:
    for k in [8, 16]:
        parts = [seconds[(dataset, k, c)] for c in ["frozen logistic head", "SetFit", "default recipe"]]
        print(f"| {dataset} | {k} | " + " | ".join(f"{sum(v) / len(v):.0f}" if v else "—" for v in parts) + " |")

# The full-data LoRA + MLP-head table (Scripts/fewshot/lora-mlp-figures.sh), beside the frozen MLP
# head's figures on the same seeds (Documentation/Figures.md, targets: 0.9373, 0.9354, 0.9360).
lora_path = f"{HERE}/lora-mlp-results.jsonl"
if os.path.exists(lora_path):
    lora = [json.loads(line) for line in open(lora_path) if line.strip()]
    frozen_mlp = {0: 0.9373, 1: 0.9354, 2: 0.9360}
    print()
    print("| seed | frozen MLP head | LoRA + MLP head (Squire) | PEFT, same recipe | Squire − PEFT | Squire − frozen MLP |")
    print("| --- | --- | --- | --- | --- | --- |")
    for seed in sorted({r["seed"] for r in lora}):
        ours = next((r["test_accuracy"] for r in lora if r["seed"] == seed and r["who"] == "squire"), None)
        peft = next((r["test_accuracy"] for r in lora if r["seed"] == seed and r["who"] == "peft"), None)
        show = lambda v: f"{v:.4f}" if v is not None else "—"
        gap = lambda a, b: f"{100 * (a - b):+.2f}" if a is not None and b is not None else "—"
        print(f"| {seed} | {frozen_mlp[seed]:.4f} | {show(ours)} | {show(peft)} | {gap(ours, peft)} | {gap(ours, frozen_mlp[seed])} |")
