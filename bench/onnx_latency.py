#!/usr/bin/env python3
"""ONNX Runtime CPU latency of two exported models, side by side: bench/onnx_latency.js for a
machine that has Python's onnxruntime and no Node (a lent GPU server; see bench/README.md).

    python3 bench/onnx_latency.py A.onnx B.onnx [--size 512] [--runs 10] [--threads 1,2]

A and B are e.g. fp32 and int8, or the upsampled and the factored pyramid head.

The same input (sin(0.37 i) * 1.5), session options (intra-op threads as given, one inter-op
thread, all graph optimisations) and alternation as the Node script: the two models run
alternately, run after run, and the speed-up is the median of the per-pair ratios.
"""
import argparse
import os
import statistics
import time

import numpy as np
import onnxruntime as ort


def session(model, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def time_once(sess, feed):
    start = time.perf_counter()
    sess.run(None, feed)
    return (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fp32")
    parser.add_argument("int8")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--threads", default="1,2", help="comma-separated intra-op thread counts")
    args = parser.parse_args()

    count = args.channels * args.size * args.size
    data = (np.sin(np.arange(count, dtype=np.float64) * 0.37) * 1.5).astype(np.float32)
    data = data.reshape(1, args.channels, args.size, args.size)
    print(f"ONNX Runtime {ort.__version__} CPU, input 1x{args.channels}x{args.size}x{args.size}, "
          f"median (min) of {args.runs} runs, ms")
    print(f"A: {os.path.basename(args.fp32)}\nB: {os.path.basename(args.int8)}")
    print("threads       A               B               A/B")
    for threads in [int(t) for t in args.threads.split(",")]:
        a, b = session(args.fp32, threads), session(args.int8, threads)
        feed_a = {a.get_inputs()[0].name: data}
        feed_b = {b.get_inputs()[0].name: data}
        a.run(None, feed_a)  # warm-up (kernel selection, allocations)
        b.run(None, feed_b)
        ta, tb = [], []
        for _ in range(args.runs):
            ta.append(time_once(a, feed_a))
            tb.append(time_once(b, feed_b))
        ratio = statistics.median_low([x / y for x, y in zip(ta, tb)])
        print(f"{threads:<8}{statistics.median_low(ta):8.1f} ({min(ta):.1f})"
              f"{statistics.median_low(tb):10.1f} ({min(tb):.1f}){ratio:10.2f}x", flush=True)


if __name__ == "__main__":
    main()
