"""How bytes become text: accepted encodings, and what is refused with which reason."""

import codecs

import pytest

from corpus.importing.decoding import decode_text
from corpus.importing.errors import RejectedFile

ARABIC = "أكدت الولايات المتحدة والعراق التزامهما المشترك بمواصلة التعاون الأمني."


def test_it_reads_utf8_without_bom():
    assert decode_text(ARABIC.encode("utf-8")) == (ARABIC, "UTF-8")


def test_it_reads_utf8_with_bom_and_drops_the_bom():
    text, encoding = decode_text(codecs.BOM_UTF8 + ARABIC.encode("utf-8"))
    assert text == ARABIC
    assert encoding == "UTF-8"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_it_reads_utf16_with_bom(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    text, encoding = decode_text(bom + ARABIC.encode(codec))
    assert text == ARABIC
    assert encoding == "UTF-16"


def test_it_detects_windows_1256_instead_of_misreading_it_as_latin1():
    text, encoding = decode_text(ARABIC.encode("cp1256"))
    assert text == ARABIC
    assert encoding == "Windows-1256"


def test_it_refuses_a_legacy_latin_file_it_cannot_identify():
    with pytest.raises(RejectedFile, match="could not be decoded"):
        decode_text("Café résumé à la carte, déjà vu über".encode("cp1252"))


def test_it_refuses_damaged_utf8_rather_than_guessing_windows_1256():
    damaged = ARABIC[:10].encode("utf-8") + b"\xff" + ARABIC[10:].encode("utf-8")
    with pytest.raises(RejectedFile, match=r"UTF-8 with 1 invalid byte sequence\(s\) \(the first at byte 19\)"):
        decode_text(damaged)


def test_it_refuses_an_empty_file():
    with pytest.raises(RejectedFile, match="empty"):
        decode_text(b"")


def test_it_refuses_nul_bytes():
    with pytest.raises(RejectedFile, match="NUL bytes"):
        decode_text(b"hello\x00world")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"PK\x03\x04....", "zip"),
        (b"\x7fELF\x02\x01", "ELF"),
    ],
)
def test_it_names_binary_formats(data, what):
    with pytest.raises(RejectedFile, match=what):
        decode_text(data)


def test_it_refuses_a_utf16_bom_followed_by_garbage():
    with pytest.raises(RejectedFile, match="UTF-16"):
        decode_text(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone high surrogate
