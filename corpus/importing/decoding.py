"""Bytes to text: which encodings Hamish reads, and what it refuses.

Accepted: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM, and
Windows-1256 (the legacy Arabic code page). Latin-1 is never guessed: every
byte sequence "decodes" as Latin-1, which is how Arabic files turn into
mojibake in other tools.
"""

import codecs
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .errors import RejectedFile

# Signatures of common binary formats, so the message can say what the file is.
BINARY_SIGNATURES = [
    (b"%PDF", gettext_lazy("This is a PDF document, not a text file.")),
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("This is a PNG image, not a text file.")),
    (b"\xff\xd8\xff", gettext_lazy("This is a JPEG image, not a text file.")),
    (b"GIF87a", gettext_lazy("This is a GIF image, not a text file.")),
    (b"GIF89a", gettext_lazy("This is a GIF image, not a text file.")),
    (b"PK\x03\x04", gettext_lazy("This is a zip-based file (for example .docx or .xlsx), not a text file.")),
    (b"\x1f\x8b", gettext_lazy("This is a gzip archive, not a text file.")),
    (b"\x7fELF", gettext_lazy("This is a program (ELF binary), not a text file.")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", gettext_lazy("This is a Microsoft Office document (.doc or .xls), not a text file.")),
    (b"Rar!", gettext_lazy("This is a RAR archive, not a text file.")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("This is a 7-Zip archive, not a text file.")),
    (b"SQLite format 3\x00", gettext_lazy("This is an SQLite database, not a text file.")),
]

BOMS = [
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
]

ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u0671-\u06D3\u06FA-\u06FC]")
NON_ASCII = re.compile(r"[^\x00-\x7f]")


def describe_size(n_bytes):
    if n_bytes >= 1024 * 1024:
        return _("%(size)s MB") % {"size": f"{n_bytes / (1024 * 1024):.1f}"}
    if n_bytes >= 1024:
        return _("%(size)s KB") % {"size": f"{n_bytes / 1024:.0f}"}
    return ngettext("%(size)s byte", "%(size)s bytes", n_bytes) % {"size": n_bytes}


def check_size(n_bytes, limit):
    if n_bytes > limit:
        raise RejectedFile(
            _("The file is %(size)s; the limit is %(limit)s.") % {"size": describe_size(n_bytes), "limit": describe_size(limit)}
        )


def decode_text(data):
    """Return (text, encoding name) for `data`, or raise RejectedFile with a reason."""
    if not data:
        raise RejectedFile(_("The file is empty."))

    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as exc:
                raise RejectedFile(
                    _(
                        "The file starts with a %(encoding)s byte-order mark but is not valid %(encoding)s "
                        "(bad bytes at position %(position)s)."
                    )
                    % {"encoding": label, "position": exc.start}
                ) from None

    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise RejectedFile(str(what))
    if b"\x00" in data:
        raise RejectedFile(
            _("The file contains NUL bytes, so it is binary or UTF-16 without a byte-order mark. Save it as UTF-8 text.")
        )

    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start

    # Mostly valid UTF-8 with a few broken sequences is a damaged UTF-8 file, not
    # Windows-1256: decoding it as 1256 would turn every Arabic letter into two.
    repaired = data.decode("utf-8", errors="replace")
    damaged = repaired.count("\ufffd")
    multibyte = len(NON_ASCII.findall(repaired)) - damaged
    if multibyte > 4 * damaged:
        raise RejectedFile(
            _(
                "The file is UTF-8 with %(damaged)s invalid byte sequence(s) (the first at byte %(first)s); "
                "it may be truncated or damaged. Fix it or save it again as UTF-8."
            )
            % {"damaged": damaged, "first": first_bad}
        )

    text = data.decode("cp1256")
    non_ascii = NON_ASCII.findall(text)
    arabic = ARABIC_LETTER.findall(text)
    if non_ascii and len(arabic) >= 0.6 * len(non_ascii):
        return text, "Windows-1256"
    raise RejectedFile(
        _(
            "The text could not be decoded: it is not UTF-8, UTF-16 with a byte-order mark, or Windows-1256 "
            "Arabic. Save it as UTF-8 and import it again."
        )
    )
