"""Fill msgstr entries of the Chinese catalogue (translations/zh: Babel reads zh_CN as zh_Hans_CN, found under zh) from a Python dict file, then compile.

Usage: python scripts/fill_translations.py FILE.py   (FILE defines T = {msgid: msgstr}; a key
may also be a (msgctxt, msgid) tuple for a message with a context)
"""
import runpy
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def main(path):
    """Apply the translations in ``path`` and write the .po and .mo files."""
    table = runpy.run_path(path)["T"]
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    for message in catalog:
        key = (message.context, message.id) if message.context else message.id
        if message.id and key in table:
            message.string = table[key]
    missing = [m.id for m in catalog if m.id and not m.string]
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100)
    with PO.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)
    for msgid in missing:
        print("untranslated:", msgid)


if __name__ == "__main__":
    main(sys.argv[1])
