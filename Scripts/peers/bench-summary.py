#!/usr/bin/env python3
"""Summarizes package-benchmark Markdown output (one file per run): the median of the runs'
p50 wall-clock times per benchmark, and for each 'matmul <shape> Tensor' / 'matmul <shape>
raw sgemm' pair the throughput ratio Tensor / raw (1.0 = as fast as calling sgemm directly).

Usage: bench-summary.py run1.md [run2.md ...]
"""
import re
import statistics
import sys

UNITS = {"ns": 1e-3, "μs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}


def parse(path):
    results, name = {}, None
    for line in open(path, encoding="utf-8"):
        if line.startswith("### "):
            name = line[4:].strip()
        m = re.match(r"\| Time \(wall clock\) \((\S+)\) \*? *\|(.*)", line)
        if name and m:
            cells = [c.strip() for c in m.group(2).split("|")]
            results[name] = float(cells[2]) * UNITS[m.group(1)]  # p50, in μs
            name = None
    return results


def main():
    runs = [parse(p) for p in sys.argv[1:]]
    names = sorted(set().union(*runs))
    median = {n: statistics.median(r[n] for r in runs if n in r) for n in names}
    print(f"| benchmark | median p50 (μs) over {len(runs)} runs |")
    print("| --- | ---: |")
    for n in names:
        print(f"| {n} | {median[n]:,.1f} |")
    print()
    print("| shape | Tensor.matmul (μs) | raw sgemm (μs) | GFLOP/s via Tensor | Tensor / raw throughput |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for n in names:
        if n.startswith("matmul ") and n.endswith(" Tensor"):
            shape = n[len("matmul "):-len(" Tensor")]
            raw = median.get(f"matmul {shape} raw sgemm")
            if raw is None:
                continue
            m, k, nn = (int(x.split("=")[1]) for x in shape.split())
            gflops = 2 * m * k * nn / median[n] / 1e3
            print(f"| M={m} K={k} N={nn} | {median[n]:,.1f} | {raw:,.1f} | {gflops:.0f} | {raw / median[n]:.3f} |")


if __name__ == "__main__":
    main()
