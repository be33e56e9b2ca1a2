#!/usr/bin/env bash
# Builds the .deb with cpack, unpacks it into a temporary root and runs the binaries from there.
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; echo "cpack failed"; exit 1; }
deb=$(ls "$work"/out/*.deb)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

fields=$(dpkg-deb -f "$deb" Package Version Depends)
echo "$fields"
status=0
for dep in qt6-qpa-plugins 'libopenblas0-pthread | libblas3' libqt6widgets6 libdcmtk17 \
    fonts-noto-cjk nodejs; do
    grep -qF "$dep" <<<"$fields" || { echo "Depends lacks $dep"; status=1; }
done

root="$work/root"
dpkg-deb -x "$deb" "$root"
for file in usr/bin/medseg usr/bin/medseg-studio usr/share/applications/medseg-studio.desktop \
    usr/share/icons/hicolor/256x256/apps/medseg-studio.png \
    usr/share/medseg-studio/translations/medseg_zh_CN.qm; do
    [ -s "$root/$file" ] || { echo "missing in package: $file"; status=1; }
done

version=$("$root/usr/bin/medseg" --version)
expected="medseg $(dpkg-deb -f "$deb" Version)"
[ "$version" = "$expected" ] || { echo "medseg --version printed '$version', expected '$expected'"; status=1; }
echo "unpacked medseg --version: $version"
# The unpacked GUI finds its translations through ../share, as an installed one does.
QT_QPA_PLATFORM=offscreen "$root/usr/bin/medseg-studio" --version >/dev/null ||
    { echo "unpacked medseg-studio does not start"; status=1; }
# The installed program finds the ONNX Runtime it carries (exports are checked, not "not
# verified"), beside itself rather than in a source tree.
runtime=$("$root/usr/bin/medseg" versions --json | /usr/bin/python3 -c \
    'import json, sys; print(json.load(sys.stdin).get("ONNX Runtime", ""))')
case $runtime in
    [0-9]*"($root/usr/share/medseg-studio/node_modules)") echo "ONNX Runtime: $runtime" ;;
    *) echo "the unpacked medseg does not find its ONNX Runtime: '$runtime'"; status=1 ;;
esac
[ -s "$root/usr/share/medseg-studio/onnx_run.js" ] || { echo "missing in package: onnx_run.js"; status=1; }
# Without any display, --help and --version still answer, and a plain start says why it cannot
# (a GUI application would otherwise abort with a core dump).
nodisplay=(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM)
"${nodisplay[@]}" "$root/usr/bin/medseg-studio" --help | grep -q -- '--lang' ||
    { echo "medseg-studio --help without a display failed"; status=1; }
set +e
message=$("${nodisplay[@]}" "$root/usr/bin/medseg-studio" 2>&1)
code=$?
set -e
[ $code -eq 1 ] && grep -q 'no display' <<<"$message" ||
    { echo "medseg-studio without a display: exit $code, '$message'"; status=1; }
exit $status
