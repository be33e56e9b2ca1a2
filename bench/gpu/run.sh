#!/usr/bin/env bash
# The GPU checks and benchmarks of core/train in one run, for a lent CUDA machine that has a
# Python PyTorch (whose wheel carries LibTorch) but none of Debian's packages:
#   1. builds the torch-only tree (-DMEDSEG_TORCH_ONLY=ON) against that LibTorch,
#   2. checks that a training step captured as a CUDA graph computes the eager step,
#   3. PSPNet-ResNet18, OS 8, 512x512, batch 16, bf16 + channels_last: medseg-bench (CUDA graph)
#      against PyTorch eager (fused AdamW) and torch.compile, side by side in one run,
#   4. trains the synthetic task with core/train's Trainer on CUDA (bf16, channels_last),
#   5. every backbone, inference and training, against PyTorch eager,
#   6. the same on the machine's CPU (all cores, fp32): LibTorch and PyTorch from the one wheel,
#      so the same oneDNN build, on an otherwise idle machine (`cpu`); `cpu-profile` lists one
#      training step's operators of both side by side (bench/profile_compare.py),
#   7. `onnx`: ONNX Runtime latency on that CPU, fp32 against int8 (needs ONNX_PREFIX, made by
#      bench/gpu/make_devdeps.sh, and Python's onnxruntime).
# `run.sh build` stops after the build; `run.sh graph goal trainer backbones cpu onnx` runs the steps named
# (default: all). Logs go to $OUT (default /tmp/medseg-gpu). NLOHMANN_DIR: nlohmann_json's CMake folder when the
# machine has none. Steps are each under `timeout`, so a slow one cannot eat the others' time.
set -uo pipefail
OUT=${OUT:-/tmp/medseg-gpu}
mkdir -p "$OUT"
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-/tmp/medseg-gpu-build}
step() { echo; echo "== $* ($(date +%T))"; }
wanted() { [ $# -eq 0 ] || [ -z "${STEPS:-}" ] || [[ " $STEPS " == *" $1 "* ]]; }
STEPS="$*"

step machine
lscpu | grep -E "^(Model name|Socket|Core|Thread)"
echo "vector flags: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8|amx_bf16' /proc/cpuinfo | sort -u | xargs)"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv
python3 -c 'import torch, torchvision; print("torch", torch.__version__, "cuda", torch.version.cuda,
"cudnn", torch.backends.cudnn.version(), "torchvision", torchvision.__version__,
"cxx11abi", torch.compiled_with_cxx11_abi())'
echo "cores $(nproc); $(c++ --version | head -1); $(cmake --version | head -1); $(nvcc --version | tail -1)"
torch_dir=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
abi=$(python3 -c 'import torch; print(int(torch.compiled_with_cxx11_abi()))')

step configure
common=(-S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEDSEG_TORCH_ONLY=ON
        -DMEDSEG_BUILD_TESTS=OFF -DTORCH_CUDA_ARCH_LIST=9.0)
[ -n "${NLOHMANN_DIR:-}" ] && common+=(-Dnlohmann_json_DIR="$NLOHMANN_DIR")
# ONNX_PREFIX: ONNX and protobuf for the exporter (bench/gpu/make_devdeps.sh), for the onnx step.
prefix="$torch_dir/share/cmake${ONNX_PREFIX:+;$ONNX_PREFIX}"
if ! cmake "${common[@]}" -DCMAKE_PREFIX_PATH="$prefix" >"$OUT/configure.log" 2>&1; then
    echo "LibTorch's own CMake config failed:"; grep -iE "error|could not|not found" "$OUT/configure.log" | head -15
    echo "configuring again with MEDSEG_TORCH_ROOT"
    rm -rf "$build"
    cmake "${common[@]}" -DMEDSEG_TORCH_ROOT="$torch_dir" -DMEDSEG_TORCH_CXX11_ABI="$abi" \
        ${ONNX_PREFIX:+-DCMAKE_PREFIX_PATH="$ONNX_PREFIX"} \
        >"$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
fi
grep -E "MedSeg Studio|LibTorch" "$OUT/configure.log"

step build
if ! ninja -C "$build" -k 0 medseg-bench >"$OUT/build.log" 2>&1; then
    grep -E "error|Error" -A4 "$OUT/build.log" | head -120
    exit 1
fi
tail -1 "$OUT/build.log"
[ "$STEPS" = build ] && exit 0 # `run.sh build`: the build only (for bench/gpu/profile.sh)
bench="$build/bin/medseg-bench"
common=(--device cuda --amp bf16 --channels-last --threads "$(nproc)")

if wanted graph; then
step "CUDA graph against eager steps (256x256, batch 8, bf16)"
for head in upsampled factored; do
    timeout 120 "$bench" --check-graph --size 256 --batch 8 --backbones resnet18 \
        --pyramid-head "$head" "${common[@]}" 2>&1
done | tee "$OUT/check-graph.txt"
fi

if wanted variants; then
step "PSPNet-ResNet18, OS 8, 512x512, batch 16, bf16 + channels_last: C++ variants"
for variant in "" "--cudnn-benchmark" "--cudnn-benchmark --cuda-graph" \
    "--cudnn-benchmark --cuda-graph --pyramid-head factored"; do
    # shellcheck disable=SC2086
    timeout 60 "$bench" --size 512 --batch 16 --iterations 30 --warmup 8 --backbones resnet18 \
        --train-only $variant "${common[@]}" 2>&1 | tail -2
done | tee "$OUT/variants.txt"
fi

if wanted goal; then
step "the goal: medseg-bench (CUDA graph) against PyTorch eager and torch.compile"
timeout 300 "$bench" --size 512 --batch 16 --iterations 30 --warmup 8 --backbones resnet18 \
    --train-only --cudnn-benchmark --cuda-graph "${common[@]}" \
    --reference python3 --reference-compile 2>&1 | tee "$OUT/goal.txt"
fi

if wanted trainer; then
step "Trainer on CUDA: synthetic task, three stages"
# Line-buffered, so that a crash keeps what was printed before it; the exit status tells a crash
# at the very end (cleaning up) from a clean finish.
timeout 120 stdbuf -oL "$bench" --trainer-check --device cuda --amp bf16 --channels-last \
    >"$OUT/trainer.txt" 2>&1
echo "exit status $?" >>"$OUT/trainer.txt"
tail -5 "$OUT/trainer.txt"
fi

if wanted backbones; then
step "every backbone, 512x512, batch 16, against PyTorch eager"
timeout 240 "$bench" --size 512 --batch 16 --iterations 20 --warmup 5 --cudnn-benchmark \
    --cuda-graph "${common[@]}" --reference python3 2>&1 | tee "$OUT/backbones.txt"
fi
cpu_common=(--device cpu --threads "$(nproc)" --size 256 --batch 4)
if wanted cpu; then
step "every backbone on the CPU, $(nproc) threads, fp32, 256x256, batch 4, against PyTorch eager"
timeout 420 "$bench" "${cpu_common[@]}" --backbones "${CPU_BACKBONES:-resnet18,mobilenet_v3_large,efficientnet_b0,convnext_tiny}" \
    --iterations 6 --warmup 2 --rounds 3 --reference python3 2>&1 | tee "$OUT/cpu.txt"
fi

if wanted cpu-profile; then
step "one CPU training step's operators, ours against PyTorch eager"
for backbone in ${CPU_PROFILE_BACKBONES:-resnet18 mobilenet_v3_large}; do
    timeout 60 "$bench" "${cpu_common[@]}" --backbones "$backbone" --train-only --iterations 3 \
        --warmup 2 --profile "$OUT/ours-$backbone.json" | tail -1
    timeout 60 python3 "$src/bench/pspnet_reference.py" "${cpu_common[@]}" --backbones "$backbone" \
        --train-only --iterations 3 --warmup 2 --profile "$OUT/theirs-$backbone.json" 2>/dev/null | tail -1
    python3 "$src/bench/profile_compare.py" "$OUT/ours-$backbone.json" "$OUT/theirs-$backbone.json" \
        --steps 3 --top 30 | tee "$OUT/profile-$backbone.txt"
done
fi
if wanted onnx; then
step "ONNX Runtime on the CPU: PSPNet-ResNet18 fp32 against int8 (CPU profile), 1x3x512x512"
# Needs ONNX + protobuf (ONNX_PREFIX) and Python's onnxruntime; the models are large and stay here.
if ! ninja -C "$build" -k 0 medseg-bench-export >"$OUT/build-export.log" 2>&1; then
    grep -E "error|Error" -A4 "$OUT/build-export.log" | head -60
else
    models=/tmp/medseg-onnx
    timeout 300 "$build/bin/medseg-bench-export" "$models" --steps 30 2>&1 | tail -6
    cp "$models/export-report.json" "$OUT/" 2>/dev/null
    timeout 300 python3 "$src/bench/onnx_latency.py" "$models/pspnet_resnet18_fp32.onnx" \
        "$models/pspnet_resnet18_int8_cpu.onnx" --threads "1,2,$(nproc)" --runs 10 2>&1 |
        tee "$OUT/onnx-latency.txt"
fi
fi
step done
