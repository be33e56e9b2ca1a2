#!/usr/bin/env bash
# medseg import-weights on torchvision's own state dicts (written by the reference fixture):
# a matching file loads cleanly (exit 0), the wrong architecture reports every key (exit 1), a
# file that is no state dict exits 3, and -o writes a file that imports again cleanly.
set -uo pipefail
medseg=$1 ref=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
expect() { # expect CODE PATTERN ARGS...
    local code=$1 pattern=$2
    shift 2
    local out rc
    out=$("$medseg" import-weights "$@" 2>&1)
    rc=$?
    if [ $rc -ne "$code" ] || ! grep -qE "$pattern" <<<"$out"; then
        echo "FAIL: medseg import-weights $* -> exit $rc (want $code), output:"
        head -5 <<<"$out"
        status=1
    else
        echo "ok   exit $rc: $(head -1 <<<"$out" | sed "s|$ref/||")"
    fi
}
expect 0 "resnet18.pth: 120 tensors loaded, 0 missing, 0 unexpected, 0 with another shape, 2 classifier tensors skipped" \
    --arch resnet18 "$ref/resnet18.pth"
expect 0 "0 missing, 0 unexpected, 0 with another shape" --arch convnext_tiny "$ref/convnext_tiny.pth"
expect 0 "\(1 adapted to the input channels\)" --arch mobilenet_v3_large --in-channels 1 \
    "$ref/mobilenet_v3_large.pth" -o "$work/mnv3_gray.pt"
expect 0 "0 missing, 0 unexpected" --arch mobilenet_v3_large --in-channels 1 "$work/mnv3_gray.pt"
expect 1 "[1-9][0-9]* missing" --arch efficientnet_b0 "$ref/resnet18.pth"
printf 'not a pickle' >"$work/junk.pth"
expect 3 "not a readable state dict" --arch resnet18 "$work/junk.pth"
expect 2 "unknown architecture 'vgg16'" --arch vgg16 "$ref/resnet18.pth"
exit $status
