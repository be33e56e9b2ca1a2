#!/usr/bin/env bash
# Installs what is missing, builds (Release) and starts MedSeg Studio.
#   scripts/run.sh [PATH...]      the workstation, opening the given DICOM folders
#   scripts/run.sh --headless     the command-line demo job; needs no display
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

headless=0
args=()
for arg in "$@"; do
    case $arg in
        --headless) headless=1 ;;
        *) args+=("$arg") ;;
    esac
done

medseg_install_packages "${MEDSEG_BUILD_PACKAGES[@]}"
# Only what running needs: the two programs and the translations (not the tests).
medseg_build --target medseg-studio --target medseg --target medseg_translations

medseg=$MEDSEG_BUILD/bin/medseg
# The built-in demo study: synthetic CT patients with ground-truth labels, written once.
demo=${MEDSEG_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/medseg-studio/demo-study}
if [ ! -f "$demo/labels/labels.json" ]; then
    medseg_log "Writing the demo study to $demo"
    rm -rf "$demo"
    "$medseg" make-demo "$demo"
fi

if [ $headless -eq 1 ]; then
    "$medseg" --version
    medseg_log "Demo study"
    "$medseg" info "$demo"
    voc=$(dirname "$demo")/demo-voc
    medseg_log "Converting to a VOC dataset in $voc"
    rm -rf "$voc"
    "$medseg" convert "$demo" "$voc"
    "$medseg" stats "$voc"

    # The from-scratch plan (no pretrained weights: one stage) for three minutes, reading the
    # data included: input size, output stride (8 at the slices' 128 pixels) and batch are
    # chosen from the data and from steps measured on this machine, and the epochs fitted to
    # the time (about 23 on 2 cores: best mean foreground Dice 0.84-0.85 on the demo's
    # validation patient).
    run=$(dirname "$demo")/demo-run
    out=$(dirname "$demo")/demo-output
    rm -rf "$run" "$out"
    mkdir -p "$out"
    medseg_log "Training (run folder $run)"
    # Every choice is printed with its reason; the per-class Dice table ends the run.
    "$medseg" train "$voc" --backbone resnet18 --minutes 3 --run-dir "$run"
    medseg_log "Predicting the demo study with the best model"
    "$medseg" predict "$run/best.pt" "$demo" -o "$out/prediction.nii.gz"
    medseg_log "Exporting to ONNX (fp32, and int8 for ONNX Runtime on CPU)"
    # A short run's model can miss the int8 thresholds: the report says so, the job goes on.
    "$medseg" export "$run" -o "$out/model.onnx" ||
        echo "fp32 export: a check did not pass, see $out/model.export-report.json"
    "$medseg" export "$run" -o "$out/model-int8-cpu.onnx" --int8 cpu --data "$voc" ||
        echo "int8 export: a check did not pass, see $out/model-int8-cpu.export-report.json"
    echo "Outputs: $out (prediction.nii.gz; model.onnx and model-int8-cpu.onnx, each with its"
    echo "model card and export report)."
    echo "Export validation runs the models in ONNX Runtime when scripts/test.sh has installed"
    echo "onnxruntime-node; without it the report says 'not verified'."
    exit 0
fi
[ ${#args[@]} -gt 0 ] || args=("$demo")

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
    echo "Run 'scripts/run.sh --headless' for the command-line job, or start the app under xvfb-run." >&2
    exit 1
fi
exec "$MEDSEG_BUILD/bin/medseg-studio" "${args[@]}"
