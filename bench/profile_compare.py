#!/usr/bin/env python3
"""Compare two operator profiles side by side: medseg-bench --profile against pspnet_reference.py
--profile (chrome traces of the same timed training steps).

For every operator name, prints the self time (its own time, less the operators it called, per
thread), the number of calls and the difference, sorted by the larger self time. Operators that
only one side runs stand out with a call count of 0 on the other. Times are per training step.

    build/bin/medseg-bench --backbones resnet18 --train-only --iterations 4 --profile ours.json
    /usr/bin/python3 bench/pspnet_reference.py --backbones resnet18 --train-only \\
        --iterations 4 --profile theirs.json
    python3 bench/profile_compare.py ours.json theirs.json --steps 4
"""

import argparse
import collections
import json


def load_events(path):
    with open(path) as f:
        trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    # Complete events ("X") carry a duration; the legacy C++ profiler and PyTorch's both write them.
    return [e for e in events if e.get("ph") == "X" and "dur" in e]


def self_times(events):
    """Operator name -> [self microseconds, calls], nesting resolved per (process, thread)."""
    by_thread = collections.defaultdict(list)
    for e in events:
        by_thread[(e.get("pid"), e.get("tid"))].append(e)
    totals = collections.defaultdict(lambda: [0.0, 0])
    for thread_events in by_thread.values():
        # Parents start first; for equal starts the longer one is the parent.
        thread_events.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # [end, name, child time]
        def close(entry):
            end, name, start, children = entry
            totals[name][0] += (end - start) - children
        for e in thread_events:
            start, dur = float(e["ts"]), float(e["dur"])
            while stack and stack[-1][0] <= start:
                close(stack.pop())
            if stack:
                stack[-1][3] += dur
            stack.append([start + dur, e["name"], start, 0.0])
            totals[e["name"]][1] += 1
        while stack:
            close(stack.pop())
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ours")
    parser.add_argument("theirs")
    parser.add_argument("--steps", type=int, default=1, help="training steps in each trace")
    parser.add_argument("--top", type=int, default=40, help="rows to print")
    args = parser.parse_args()

    ours, theirs = self_times(load_events(args.ours)), self_times(load_events(args.theirs))
    names = set(ours) | set(theirs)
    per_step = lambda table, name: (table[name][0] / 1000 / args.steps, table[name][1] / args.steps) \
        if name in table else (0.0, 0.0)
    rows = []
    for name in names:
        (a_ms, a_calls), (b_ms, b_calls) = per_step(ours, name), per_step(theirs, name)
        rows.append((name, a_ms, a_calls, b_ms, b_calls))
    rows.sort(key=lambda r: -max(r[1], r[3]))
    total_a = sum(r[1] for r in rows)
    total_b = sum(r[3] for r in rows)
    print(f"self time per training step, ms (ours: {args.ours}, theirs: {args.theirs})")
    print(f"{'operator':<48} {'ours ms':>9} {'calls':>7} {'theirs ms':>10} {'calls':>7} "
          f"{'ours-theirs':>12}")
    for name, a_ms, a_calls, b_ms, b_calls in rows[:args.top]:
        print(f"{name[:48]:<48} {a_ms:9.2f} {a_calls:7.1f} {b_ms:10.2f} {b_calls:7.1f} "
              f"{a_ms - b_ms:12.2f}")
    print(f"{'all operators':<48} {total_a:9.2f} {'':>7} {total_b:10.2f} {'':>7} "
          f"{total_a - total_b:12.2f}")


if __name__ == "__main__":
    main()
