"""Fill Arabic translations into locale/ar/LC_MESSAGES/<domain>.po from a JSON file, under the lock.

    .venv/bin/python scripts/po_fill.py translations.json [--domain djangojs]

The JSON maps each msgid to its msgstr; for a plural entry, to a list of the six Arabic plural forms
(zero, one, two, few, many, other), or to an object {"msgctxt": ..., "msgstr": ...} for a context.
Run scripts/messages first so the msgids exist. Prints the msgids it did not find (nothing is invented).
"""

import fcntl
import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]


def fill(catalogue, translations):
    missing = []
    for msgid, value in translations.items():
        context = None
        if isinstance(value, dict):
            context, value = value.get("msgctxt"), value["msgstr"]
        entry = catalogue.find(msgid, msgctxt=context) if context else catalogue.find(msgid)
        if entry is None:
            missing.append(msgid)
            continue
        if isinstance(value, list):
            entry.msgstr_plural = dict(enumerate(value))
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    return missing


def main(argv):
    domain = argv[argv.index("--domain") + 1] if "--domain" in argv else "django"
    source = Path(argv[1])
    po_path = ROOT / "locale" / "ar" / "LC_MESSAGES" / f"{domain}.po"
    with open(ROOT / "locale" / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        catalogue = polib.pofile(str(po_path), wrapwidth=0)
        missing = fill(catalogue, json.loads(source.read_text(encoding="utf-8")))
        catalogue.save(str(po_path))
    for msgid in missing:
        print(f"not in {po_path.name} (mark it, then run scripts/messages): {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
