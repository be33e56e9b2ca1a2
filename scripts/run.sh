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
medseg_build

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
    echo "Training, prediction and export on this dataset arrive with the training engine;"
    echo "see 'medseg --help' for the commands available now."
    exit 0
fi
[ ${#args[@]} -gt 0 ] || args=("$demo")

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
    echo "Run 'scripts/run.sh --headless' for the command-line job, or start the app under xvfb-run." >&2
    exit 1
fi
exec "$MEDSEG_BUILD/bin/medseg-studio" "${args[@]}"
