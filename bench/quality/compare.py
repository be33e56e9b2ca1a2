#!/usr/bin/env python3
"""Trains `medseg train` (C++/LibTorch) and train_torch.py (its recipe in PyTorch) on the same
VOC dataset with the same numbers, and prints their validation Dice per class side by side.

Issue 22, point 6: medseg's mean foreground Dice should be within 0.01 of PyTorch's with the
same recipe. Both runs use the from-scratch recipe (core/train/TrainingConfig.cpp
fromScratchStages) for a fixed number of epochs; train_torch.py starts from the same initial
weights and sees the same batches and augmentations (see its header), so the two differ only
by the order of floating-point operations, which grows over the steps into different models.

    /usr/bin/python3 bench/quality/compare.py --dataset demo --epochs 25
    /usr/bin/python3 bench/quality/compare.py --dataset t1head --epochs 25
    /usr/bin/python3 bench/quality/compare.py --dataset path/to/VOC --epochs 25 --input-size 256

Datasets: `demo` (`medseg make-demo` + `medseg convert`, as scripts/run.sh --headless does),
`t1head` (ITK's T1 head with its k-means labels, 62 slices of 128 x 128, bench/quality/
t1head.py), `t1head-axial` (the same volume as 128 x 62 slices: non-square, padded), or a VOC
folder. Without --input-size and --output-stride, the driver picks what `medseg train` would
choose for the data (core/train/AutoConfig.cpp) and passes the numbers to both. The batch is
always given (default 8), so medseg measures no trial steps before training.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
GOAL = 0.01  # issue 22, point 6: |medseg - PyTorch| mean foreground Dice


def run(command, log_path, env=None):
    """Runs `command` with its output in `log_path`; returns the wall time in seconds."""
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        started = time.perf_counter()
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        seconds = time.perf_counter() - started
    if code != 0:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            tail = log.read()[-3000:]
        raise SystemExit(f"{command[0]} failed with exit code {code}; its output "
                         f"({log_path}) ends:\n{tail}")
    return seconds


def prepare_dataset(args, work):
    """The VOC folder to train on."""
    if args.dataset == "demo":
        demo, voc = os.path.join(work, "demo-study"), os.path.join(work, "demo-voc")
        if not os.path.isdir(voc):
            run([args.medseg, "make-demo", demo], os.path.join(work, "make-demo.log"))
            run([args.medseg, "convert", demo, voc], os.path.join(work, "convert.log"))
        return voc
    if args.dataset in ("t1head", "t1head-axial"):
        voc = os.path.join(work, args.dataset + "-voc")
        if not os.path.isdir(voc):
            sys.path.insert(0, HERE)
            import t1head
            t1head.write_t1head(voc, axis=2 if args.dataset == "t1head" else 1)
        return voc
    if not os.path.isdir(args.dataset):
        raise SystemExit(f"{args.dataset}: not demo, t1head, t1head-axial or a VOC folder")
    return os.path.abspath(args.dataset)


def auto_configuration(voc, cuda):
    """core/train/AutoConfig.cpp chooseAutoConfiguration: the input size is the median (upper)
    longer side of the split's slices rounded up to a multiple of 32, within 64 .. 256 (512 on
    CUDA); the output stride 16 on a CPU where that leaves 16 feature cells across, else 8."""
    from PIL import Image
    sets = os.path.join(voc, "ImageSets", "Segmentation")
    names = set()
    for split in ("train.txt", "val.txt"):
        if os.path.exists(os.path.join(sets, split)):
            with open(os.path.join(sets, split), encoding="utf-8") as f:
                names |= {line.split(" ")[0].strip() for line in f if line.strip()}
    masks = os.path.join(voc, "SegmentationClass")
    if not os.path.isdir(masks):
        masks = os.path.join(voc, "SegmentationClassPNG")
    files = [f for f in os.listdir(masks) if f.endswith(".png") and (not names or f[:-4] in names)]
    longer = sorted(max(Image.open(os.path.join(masks, f)).size) for f in files)
    if not longer:
        raise SystemExit(f"{voc}: no masks")
    rounded = (longer[len(longer) // 2] + 31) // 32 * 32
    size = min(max(rounded, 64), 512 if cuda else 256)
    return size, 8 if cuda or size // 16 < 16 else 16


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def medseg_result(run_dir):
    """Dice per class of best.pt (the epoch medseg selected), from best.json and metrics.jsonl."""
    with open(os.path.join(run_dir, "best.json"), encoding="utf-8") as f:
        bundle = json.load(f)
    validation = bundle["validation"]
    lines = read_jsonl(os.path.join(run_dir, "metrics.jsonl"))
    steps = [line for line in lines if line.get("type") == "step"]
    epochs = [line for line in lines if line.get("type") == "epoch"]
    classes = [c["name"] for c in sorted(bundle["classes"], key=lambda c: c["index"])]
    return {"classes": classes,
            "dice": validation["dice"],
            "mean_foreground_dice": validation["mean_foreground_dice"],
            "best_epoch": validation["epoch"] + 1,
            "first_losses": [s["loss"] for s in steps[:3]],
            "last_epoch": epochs[-1] if epochs else None,
            "fit_seconds": epochs[-1]["elapsed_seconds"] if epochs else float("nan"),
            "refinement": bundle.get("inference")}


def torch_result(out):
    with open(os.path.join(out, "result.json"), encoding="utf-8") as f:
        result = json.load(f)
    steps = [line for line in read_jsonl(os.path.join(out, "metrics.jsonl"))
             if line.get("type") == "step"]
    best = result["best"]
    return {"classes": result["classes"],
            "dice": best["dice"],
            "mean_foreground_dice": best["mean_foreground_dice"],
            "best_epoch": best["epoch"] + 1,
            "first_losses": [s["loss"] for s in steps[:3]],
            "fit_seconds": result["fit_seconds"],
            "replayed": result["initial_weights_replayed"]}


def one_seed(args, voc, work, seed):
    common = ["--epochs", str(args.epochs), "--input-size", str(args.input_size),
              "--output-stride", str(args.output_stride), "--batch", str(args.batch),
              "--threads", str(args.threads), "--seed", str(seed), "--device", args.device,
              "--backbone", args.backbone]
    row = {"seed": seed}
    if not args.skip_medseg:
        run_dir = os.path.join(work, f"medseg-seed{seed}")
        if os.path.exists(run_dir):
            raise SystemExit(f"{run_dir} exists: medseg would resume it; give another --work")
        # --batch is always given: with it (and without --minutes) medseg measures no trial
        # steps, so nothing draws from the augmenter's or the global generator before training.
        print(f"medseg train, seed {seed} ({run_dir}) ...", flush=True)
        row["medseg_wall"] = run([args.medseg, "train", voc, *common, "--run-dir", run_dir],
                                 run_dir + ".log")
        row["medseg"] = medseg_result(run_dir)
    if not args.skip_torch:
        out = os.path.join(work, f"torch-seed{seed}")
        print(f"train_torch.py, seed {seed} ({out}) ...", flush=True)
        row["torch_wall"] = run([args.python, os.path.join(HERE, "train_torch.py"), voc,
                                 "--out", out, *common], out + ".log")
        row["torch"] = torch_result(out)
    return row


def fmt(value, digits=3):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"


def report(args, voc, rows):
    first = rows[0]
    sides = [s for s in ("medseg", "torch") if s in first]
    classes = first[sides[0]]["classes"]
    if len(sides) == 2 and first["medseg"]["classes"] != first["torch"]["classes"]:
        print(f"warning: the two read different classes: {first['medseg']['classes']} and "
              f"{first['torch']['classes']}")

    def mean(values):
        values = [v for v in values if v is not None and math.isfinite(v)]
        return sum(values) / len(values) if values else None

    def per_class(side, c):
        return mean([r[side]["dice"][c] if r[side]["dice"][c] is not None else float("nan")
                     for r in rows])

    seeds = ", ".join(str(r["seed"]) for r in rows)
    print()
    print(f"Dataset {args.dataset} ({voc})")
    print(f"Recipe: from scratch (one stage, AdamW 2e-3, 30 warm-up steps, poly 0.9, low "
          f"augmentation), {args.backbone}, {args.epochs} epochs, input {args.input_size}, "
          f"output stride {args.output_stride}, batch {args.batch}, {args.threads} threads, "
          f"{args.device}, seed{'s' if len(rows) > 1 else ''} {seeds}")
    what = "best epoch's validation Dice" + (f", mean over {len(rows)} seeds" if len(rows) > 1
                                             else "")
    print(f"Validation Dice per class ({what}):")
    width = max(len("mean foreground"), *(len(c) for c in classes))
    header = f"  {'class':<{width}}"
    for side in sides:
        header += f"  {('medseg' if side == 'medseg' else 'PyTorch'):>8}"
    if len(sides) == 2:
        header += f"  {'difference':>10}"
    print(header)
    for c, name in enumerate(classes):
        line = f"  {name:<{width}}"
        values = [per_class(side, c) for side in sides]
        for v in values:
            line += f"  {fmt(v):>8}"
        if len(sides) == 2:
            diff = None if None in values else values[0] - values[1]
            line += f"  {('-' if diff is None else f'{diff:+.3f}'):>10}"
        if c == 0:
            line += "  (background: not in the mean)"
        print(line)
    means = {side: mean([r[side]["mean_foreground_dice"] for r in rows]) for side in sides}
    line = f"  {'mean foreground':<{width}}"
    for side in sides:
        line += f"  {fmt(means[side], 4):>8}"
    if len(sides) == 2:
        line += f"  {means['medseg'] - means['torch']:>+10.4f}"
    print(line)
    print()
    labels = {"medseg": "medseg", "torch": "PyTorch"}
    for side in sides:
        walls = [r[f"{side}_wall"] for r in rows]
        fits = [r[side]["fit_seconds"] for r in rows]
        epochs = [r[side]["best_epoch"] for r in rows]
        print(f"  {labels[side]:<8} wall time {sum(walls) / len(walls):7.1f} s per run "
              f"(training and validation {sum(fits) / len(fits):.1f} s), best epoch "
              f"{', '.join(map(str, epochs))}, first step losses "
              f"{', '.join(f'{v:.6f}' for v in rows[0][side]['first_losses'])}")
    if len(sides) == 2:
        same_start = rows[0]["medseg"]["first_losses"][:1] and abs(
            rows[0]["medseg"]["first_losses"][0] - rows[0]["torch"]["first_losses"][0]) < 1e-5
        print(f"  same start: the first step's loss "
              f"{'agrees' if same_start else 'DIFFERS'} (same initial weights, batch, "
              f"augmentation and dropout{'' if same_start else ': the mirror is broken'})")
        refinement = rows[0]["medseg"].get("refinement")
        if refinement:
            print(f"  (medseg then kept flip TTA {'yes' if refinement.get('flip_tta') else 'no'}"
                  f", largest region for classes {refinement.get('keep_largest_component', [])}"
                  f" for prediction; the Dice above are before that, as PyTorch's)")
        diffs = [r["medseg"]["mean_foreground_dice"] - r["torch"]["mean_foreground_dice"]
                 for r in rows]
        diff = sum(diffs) / len(diffs)
        verdict = "PASS" if abs(diff) <= GOAL else "FAIL"
        spread = f"; per seed {', '.join(f'{d:+.4f}' for d in diffs)} (standard deviation " \
                 f"{statistics.stdev(diffs):.4f})" if len(diffs) > 1 else ""
        print()
        print(f"Goal |medseg - PyTorch| <= {GOAL} in mean foreground Dice: {verdict} "
              f"(difference {diff:+.4f}{spread})")
        return {"goal": verdict, "difference": diff, "means": means}
    return {"means": means}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="demo",
                        help="demo, t1head, t1head-axial or a VOC folder (default demo)")
    parser.add_argument("--epochs", type=int, default=25, help="the same for both (default 25)")
    parser.add_argument("--input-size", type=int, default=None,
                        help="default: what `medseg train` would choose for these data")
    parser.add_argument("--output-stride", type=int, default=None, choices=[8, 16, 32],
                        help="default: what `medseg train` would choose for these data")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1,
                        help="seeds seed .. seed + N - 1, reported as means (default 1)")
    parser.add_argument("--backbone", default="resnet18",
                        help="the same weights at the start for resnet18 only")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--skip-medseg", action="store_true")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--work", help="folder for the datasets and runs (default: a new one "
                                       "in the temporary folder, kept)")
    parser.add_argument("--medseg", default=os.path.join(ROOT, "build", "bin", "medseg"))
    parser.add_argument("--python", default=sys.executable,
                        help="the Python that has torch and torchvision (default: this one)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    if args.skip_medseg and args.skip_torch:
        parser.error("--skip-medseg and --skip-torch leave nothing to run")
    for name in ("epochs", "batch", "threads", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be a positive number")
    if not args.skip_medseg and not os.access(args.medseg, os.X_OK):
        raise SystemExit(f"{args.medseg}: not built (cmake --build build --target medseg)")

    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="medseg-quality-")
    os.makedirs(work, exist_ok=True)
    print(f"Working in {work}", flush=True)
    voc = prepare_dataset(args, work)
    if args.input_size is None or args.output_stride is None:
        size, stride = auto_configuration(voc, args.device == "cuda")
        args.input_size = args.input_size or size
        args.output_stride = args.output_stride or stride
    rows = [one_seed(args, voc, work, args.seed + i) for i in range(args.repeats)]
    summary = report(args, voc, rows)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"config": vars(args), "voc": voc, "runs": rows, **summary}, f, indent=2)


if __name__ == "__main__":
    main()
