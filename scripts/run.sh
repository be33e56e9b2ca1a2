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

if [ $headless -eq 1 ]; then
    "$MEDSEG_BUILD/bin/medseg" --version
    "$MEDSEG_BUILD/bin/medseg" versions
    echo "The end-to-end demo job (make demo study, convert, train, predict, export) is not built yet;"
    echo "see 'medseg --help' for the commands available."
    exit 0
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
    echo "Run 'scripts/run.sh --headless' for the command-line job, or start the app under xvfb-run." >&2
    exit 1
fi
exec "$MEDSEG_BUILD/bin/medseg-studio" "${args[@]}"
