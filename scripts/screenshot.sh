#!/usr/bin/env bash
# Redraws docs/screenshots/main-window.png: the real window under Xvfb, with fresh settings.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
medseg_install_packages "${MEDSEG_BUILD_PACKAGES[@]}" xvfb xauth
medseg_build

out=${1:-$MEDSEG_ROOT/docs/screenshots/main-window.png}
mkdir -p "$(dirname "$out")"
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
# The built-in demo study, so that the picture shows no patient's data.
"$MEDSEG_BUILD/bin/medseg" make-demo --size 256 --slices 48 "$config/demo-study" >/dev/null
sources=("$config/demo-study")
XDG_CONFIG_HOME=$config XDG_CACHE_HOME=$config xvfb-run -a -s "-screen 0 1400x900x24" \
    "$MEDSEG_BUILD/bin/medseg-studio" --lang "${MEDSEG_LANG:-en}" --screenshot "$out" "${sources[@]}"
echo "wrote $out"
