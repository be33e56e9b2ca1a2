#!/usr/bin/env python3
"""Fills unfinished entries of a Qt .ts file from a JSON table and lists what is left.

    scripts/fill_translations.py translations/medseg_zh_CN.ts table.json

The table maps source texts to translations; a numerus (%n) message takes a list with one form
per plural form of the language (one for Chinese, two for English). Run
`cmake --build build --target update_translations` before (to add new strings) and after (to
write the file in lupdate's own format). Standard library only.
"""
import json
import sys
import xml.etree.ElementTree as ET


def main(ts_path, table_path):
    with open(table_path, encoding="utf-8") as f:
        table = json.load(f)
    tree = ET.parse(ts_path)
    left = []
    for message in tree.getroot().iter("message"):
        source = message.find("source").text or ""
        translation = message.find("translation")
        if translation.get("type") != "unfinished":
            continue
        value = table.get(source)
        if value is None:
            left.append(source)
            continue
        del translation.attrib["type"]
        if message.get("numerus") == "yes":
            for form in translation.findall("numerusform"):
                translation.remove(form)
            for text in value if isinstance(value, list) else [value]:
                ET.SubElement(translation, "numerusform").text = text
        else:
            translation.text = value
    with open(ts_path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        f.write(ET.tostring(tree.getroot(), encoding="unicode") + "\n")
    for source in left:
        print("untranslated:", source)
    return 1 if left else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
