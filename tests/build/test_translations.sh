#!/usr/bin/env bash
# Every user-visible string in the Qt sources has a finished Simplified Chinese translation:
# lupdate is run on a copy of the committed .ts; any new, unfinished or empty entry fails.
set -euo pipefail
lupdate=$1 src=$2 list=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for ts in "$src"/translations/medseg_*.ts; do
    copy="$work/$(basename "$ts")"
    cp "$ts" "$copy"
    extra=()
    [[ $ts == *_en.ts ]] && extra=(-pluralonly)
    "$lupdate" -silent -locations none -no-obsolete -no-ui-lines "${extra[@]}" "-I$src" "@$list" -ts "$copy"
    if ! cmp -s "$ts" "$copy"; then
        echo "$(basename "$ts") is out of date with the sources; run: cmake --build build --target update_translations"
        diff -u "$ts" "$copy" | head -40 || true
        status=1
    fi
    unfinished=$(grep -c 'type="unfinished"' "$copy" || true)
    empty=$(grep -cE '<translation>\s*</translation>' "$copy" || true)
    messages=$(grep -c '<message' "$copy" || true)
    if [ "$unfinished" -gt 0 ] || [ "$empty" -gt 0 ]; then
        echo "$(basename "$ts"): $unfinished unfinished and $empty empty of $messages messages:"
        grep -B3 'type="unfinished"' "$copy" | grep '<source>' | head -20
        status=1
    else
        echo "$(basename "$ts"): $messages messages, all translated"
    fi
done
exit $status
