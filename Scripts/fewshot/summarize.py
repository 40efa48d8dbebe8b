"""The few-shot table of Documentation/Figures.md and the guide, from the committed results:
Scripts/fewshot/fewshot-results.jsonl (Scripts/fewshot/fewshot-figures.sh) and
Scripts/fewshot/setfit-results.json (Scripts/fewshot/setfit-peer.sh). Means over the seeds a
row has; a cell says how many seeds it holds when fewer than three.
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
