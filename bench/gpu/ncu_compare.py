#!/usr/bin/env python3
"""Compares the CUDA kernels of one training step in two `ncu --csv --page raw` logs.

    ncu --metrics gpu__time_duration.sum --csv --page raw --log-file A.csv COMMAND ...
    python3 bench/gpu/ncu_compare.py A.csv B.csv [--names medseg,pytorch]

Steps are split at the fused AdamW kernels (the last kernels of a step); the last complete step
of each log is compared: total kernel time, kernel count, and the kernels grouped by name (template
arguments dropped), largest first, side by side.
"""
import argparse
import collections
import csv
import re


def read(path):
    with open(path, newline="") as f:
        lines = [line for line in f if line.startswith('"')]
    rows = list(csv.reader(lines))
    header = rows[0]
    name_col = header.index("Kernel Name")
    time_col = header.index("gpu__time_duration.sum")
    units = rows[1][time_col]
    scale = {"nsecond": 1e-3, "usecond": 1.0, "msecond": 1e3, "ns": 1e-3, "us": 1.0}.get(units, 1e-3)
    kernels = []
    for row in rows[2:]:
        try:
            kernels.append((row[name_col], float(row[time_col].replace(",", "")) * scale))
        except (ValueError, IndexError):
            continue
    return kernels


def last_step(kernels):
    adam = [i for i, (name, _) in enumerate(kernels) if re.search("FusedAdam|fused_adam", name)]
    if not adam:
        return kernels
    # Ends of steps: the last AdamW kernel of each consecutive run.
    ends = [i for j, i in enumerate(adam) if j + 1 == len(adam) or adam[j + 1] != i + 1]
    start = ends[-2] + 1 if len(ends) >= 2 else 0
    return kernels[start:ends[-1] + 1]


def short(name):
    name = re.sub(r"^void ", "", name)
    depth, out = 0, []
    for ch in name:
        if ch in "<(":
            depth += 1
        if depth == 0:
            out.append(ch)
        if ch in ">)":
            depth -= 1
    return "".join(out)[:70]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--names", default="A,B")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    na, nb = args.names.split(",")
    sa, sb = last_step(read(args.a)), last_step(read(args.b))
    ga, gb = collections.defaultdict(lambda: [0, 0.0]), collections.defaultdict(lambda: [0, 0.0])
    for steps, groups in ((sa, ga), (sb, gb)):
        for name, us in steps:
            groups[short(name)][0] += 1
            groups[short(name)][1] += us
    ta, tb = sum(t for _, t in sa), sum(t for _, t in sb)
    print(f"one training step: {na} {len(sa)} kernels, {ta / 1000:.2f} ms; "
          f"{nb} {len(sb)} kernels, {tb / 1000:.2f} ms")
    names = sorted(set(ga) | set(gb), key=lambda k: -max(ga[k][1], gb[k][1]))
    print(f"{'kernel':<70} {na + ' n':>8} {na + ' ms':>10} {nb + ' n':>8} {nb + ' ms':>10}")
    for k in names[:args.top]:
        print(f"{k:<70} {ga[k][0]:8d} {ga[k][1] / 1000:10.3f} {gb[k][0]:8d} {gb[k][1] / 1000:10.3f}")


if __name__ == "__main__":
    main()
