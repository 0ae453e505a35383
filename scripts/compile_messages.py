"""Compile locale/*/LC_MESSAGES/*.po into the .mo files Django reads.

polib rather than `manage.py compilemessages`, so that setting up on a fresh machine does not need
GNU gettext's msgfmt. Fuzzy entries are left out, as msgfmt would.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]


def main():
    compiled = 0
    for po_path in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        for entry in catalogue.fuzzy_entries():
            catalogue.remove(entry)
        catalogue.save_as_mofile(str(mo_path))
        compiled += 1
    if "--quiet" not in sys.argv:
        print(f"compiled {compiled} catalogue(s)")


if __name__ == "__main__":
    main()
