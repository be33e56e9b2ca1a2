#!/usr/bin/env bash
# Configures the tree as on a GPU server that has nothing but LibTorch: Qt, DCMTK, OpenCV and VTK
# are made unfindable. The configure must succeed and produce the LibTorch targets only.
set -euo pipefail
src=$1
generator=${2:-Ninja}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake -S "$src" -B "$work" -G "$generator" -DMEDSEG_TORCH_ONLY=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_DISABLE_FIND_PACKAGE_DCMTK=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_OpenCV=ON -DCMAKE_DISABLE_FIND_PACKAGE_VTK=ON \
    >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; echo "torch-only configure failed"; exit 1; }

targets=$(cmake --build "$work" --target help)
status=0
for wanted in medseg_models medseg-bench; do
    grep -qE "(^|[[:space:]])$wanted(:|$)" <<<"$targets" || { echo "missing target $wanted"; status=1; }
done
for unwanted in medseg-studio medseg medseg_ui_session medseg_ui_widgets medseg_core_dicom; do
    if grep -qE "(^|[[:space:]])$unwanted(:|$)" <<<"$targets"; then
        echo "target $unwanted must not exist in a torch-only tree"
        status=1
    fi
done
grep -qE "(^|[[:space:]])medseg_core_export(:|$)" <<<"$targets" ||
    { echo "missing target medseg_core_export (ONNX and protobuf are installed here)"; status=1; }

# A GPU server may lack ONNX (pip's LibTorch has none; Debian's Caffe2 config needs protobuf
# itself, so only ONNX is hidden here): export is then left out, training and the
# benchmarks stay.
rm -rf "$work/noonnx"
cmake -S "$src" -B "$work/noonnx" -G "$generator" -DMEDSEG_TORCH_ONLY=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_DISABLE_FIND_PACKAGE_DCMTK=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_OpenCV=ON -DCMAKE_DISABLE_FIND_PACKAGE_VTK=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_ONNX=ON \
    >"$work/configure-noonnx.log" 2>&1 ||
    { cat "$work/configure-noonnx.log"; echo "torch-only configure without ONNX failed"; exit 1; }
grep -q "export is left out" "$work/configure-noonnx.log" ||
    { echo "no message that export is left out"; status=1; }
targets=$(cmake --build "$work/noonnx" --target help)
for wanted in medseg_core_train medseg-bench; do
    grep -qE "(^|[[:space:]])$wanted(:|$)" <<<"$targets" || { echo "without ONNX: missing $wanted"; status=1; }
done
for unwanted in medseg_core_export medseg-bench-export; do
    if grep -qE "(^|[[:space:]])$unwanted(:|$)" <<<"$targets"; then
        echo "without ONNX: target $unwanted must not exist"
        status=1
    fi
done
[ $status -eq 0 ] && echo "torch-only configure: OK (medseg_models, medseg-bench, export; no Qt, DCMTK, OpenCV, VTK; without ONNX: no export)"
exit $status
