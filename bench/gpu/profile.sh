#!/usr/bin/env bash
# Kernel-level comparison of one PSPNet-ResNet18 training step (OS 8, 512x512, batch 16, bf16,
# channels_last): medseg-bench against bench/pspnet_reference.py, both under Nsight Compute
# (kernel durations only), compared by bench/gpu/ncu_compare.py; and a backtrace of the Trainer
# check if it crashes. Needs the build of bench/gpu/run.sh (BUILD, default /tmp/medseg-gpu-build).
set -uo pipefail
OUT=${OUT:-/tmp/medseg-gpu}
mkdir -p "$OUT"
src=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BUILD:-/tmp/medseg-gpu-build}/bin/medseg-bench
shape=(--size 512 --batch 16 --backbones resnet18 --train-only --device cuda --amp bf16 --channels-last)
ncu_args=(--clock-control none --metrics gpu__time_duration.sum --csv --page raw)

echo "== Trainer check under cuda-gdb ($(date +%T))"
timeout 90 cuda-gdb -q -batch -ex run -ex bt -ex "info threads" --args "$bench" --trainer-check \
    --device cuda --amp bf16 --channels-last >"$OUT/trainer-gdb.txt" 2>&1
grep -vE "^\[(New|Thread .* exited)|^warning: " "$OUT/trainer-gdb.txt" | tail -45

echo "== ncu: medseg-bench ($(date +%T))"
timeout 120 ncu "${ncu_args[@]}" --log-file "$OUT/ncu-medseg.csv" "$bench" "${shape[@]}" \
    --iterations 1 --warmup 1 >"$OUT/ncu-medseg.txt" 2>&1; tail -3 "$OUT/ncu-medseg.txt"
echo "== ncu: PyTorch eager ($(date +%T))"
timeout 120 ncu "${ncu_args[@]}" --log-file "$OUT/ncu-pytorch.csv" python3 \
    "$src/bench/pspnet_reference.py" "${shape[@]}" --iterations 1 --warmup 1 \
    >"$OUT/ncu-pytorch.txt" 2>&1; tail -3 "$OUT/ncu-pytorch.txt"
python3 "$src/bench/gpu/ncu_compare.py" "$OUT/ncu-medseg.csv" "$OUT/ncu-pytorch.csv" \
    --names medseg,pytorch | tee "$OUT/ncu-compare.txt"
echo "== done ($(date +%T))"
