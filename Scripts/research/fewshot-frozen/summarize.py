"""results.json -> summary.json + table.md (means over seeds, per-seed, delta vs 'lr')."""
import json, os, sys, numpy as np
HERE = os.path.dirname(os.path.abspath(__file__))
R = json.load(open(f"{HERE}/results.json"))
cells = {}
for key, recs in R.items():
    ds, k, seed = key.split("|")
    for name, v in recs.items():
        cells.setdefault((name, ds, int(k)), {})[int(seed)] = v
order = []
for key, recs in R.items():
    for n in recs:
        if n not in order: order.append(n)
summary = {}
for (name, ds, k), per in cells.items():
    seeds = sorted(per)
    base = cells.get(("lr", ds, k), {})
    acc = [100 * per[s]["acc"] for s in seeds]
    d = [100 * (per[s]["acc"] - base[s]["acc"]) for s in seeds if s in base]
    summary.setdefault(name, {})[f"{ds}@{k}"] = {
        "mean": round(float(np.mean(acc)), 2), "per_seed": [round(a, 2) for a in acc],
        "delta_vs_lr": round(float(np.mean(d)), 2) if d else None,
        "delta_per_seed": [round(x, 2) for x in d],
        "seconds_mean": round(float(np.mean([per[s]["seconds"] for s in seeds])), 1),
        "hp": [per[s]["hp"] for s in seeds]}
json.dump(summary, open(f"{HERE}/summary.json", "w"), indent=1)
cols = ["banking77@8", "banking77@16", "snips@8", "snips@16"]
lines = ["| recipe | " + " | ".join(f"{c} mean (per-seed) Δ" for c in cols) + " | avg Δ | s/cell B77@16 |",
         "|---|" + "---|" * (len(cols) + 2)]
def avgd(n):
    ds = [summary[n][c]["delta_vs_lr"] for c in cols if c in summary[n]]
    return float(np.mean(ds)) if ds else -99
for n in sorted(order, key=lambda n: (n != "lr", -avgd(n))):
    row = []
    for c in cols:
        v = summary[n].get(c)
        row.append("–" if v is None else
                   f"{v['mean']:.2f} ({'/'.join(f'{a:.1f}' for a in v['per_seed'])}) {v['delta_vs_lr']:+.2f}")
    t = summary[n].get("banking77@16", {}).get("seconds_mean", "–")
    lines.append(f"| {n} | " + " | ".join(row) + f" | {avgd(n):+.2f} | {t} |")
open(f"{HERE}/table.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
