#!/usr/bin/env bash
# The layering check passes on this tree, and fails on copies of it with one rule broken each.
set -euo pipefail
src=$1
check="$src/scripts/check_layering.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$check" "$src"

failures=0
# expect_violation NAME FILE CONTENT EXPECTED-RULE
expect_violation() {
    local name=$1 file=$2 content=$3 rule=$4
    local tree="$work/$name"
    mkdir -p "$tree"
    (cd "$src" && tar cf - --exclude='./build*' --exclude=./.git .) | tar xf - -C "$tree"
    mkdir -p "$(dirname "$tree/$file")"
    printf '%s\n' "$content" >>"$tree/$file"
    local output
    if output=$("$check" "$tree" 2>&1); then
        echo "FAIL $name: the check passed a tree where $file has: $content"
        failures=$((failures + 1))
    elif ! grep -qF "$rule" <<<"$output"; then
        echo "FAIL $name: expected '$rule', got: $output"
        failures=$((failures + 1))
    else
        echo "ok   $name: $(head -n1 <<<"$output")"
    fi
}

expect_violation qt-in-core core/image/Volume.h '#include <QVector>' "core/ and models/ must not use Qt"
expect_violation qt-module-in-models models/Extra.cpp '#include <QtCore/QString>' "core/ and models/ must not use Qt"
expect_violation dcmtk-in-models models/Extra.cpp '#include "dcmtk/dcmdata/dctk.h"' "must not use DCMTK or OpenCV"
expect_violation opencv-in-train core/train/Augment.cpp '#include <opencv2/imgproc.hpp>' "must not use DCMTK or OpenCV"
expect_violation models-in-widgets ui/widgets/Canvas.cpp '#include "models/PSPNet.h"' "ui/widgets must not include models/"
expect_violation dcmtk-in-widgets ui/widgets/Canvas.cpp '#include <dcmtk/dcmdata/dcfilefo.h>' "ui/widgets must not include models/ or DCMTK"
expect_violation widgets-in-session ui/session/Controller.h '#include <QWidget>' "ui/session must not use Qt Widgets"
expect_violation qt-linked-by-core core/image/CMakeLists.txt 'target_link_libraries(x PRIVATE Qt6::Core)' "core/ and models/ must not link Qt"
expect_violation opencv-linked-by-train core/train/CMakeLists.txt 'target_link_libraries(x PRIVATE opencv_core)' "must not link DCMTK or OpenCV"

[ $failures -eq 0 ] || { echo "$failures layering rule(s) not enforced"; exit 1; }
echo "every rule rejects its violation"
