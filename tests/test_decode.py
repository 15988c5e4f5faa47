"""decode: every encoding and line end we may be given, and every way a file can be unusable.

The big inputs (a 10 MB single line, a 50 MB text) are generated here, never committed.
"""

from __future__ import annotations

import codecs

import pytest

from build_site.decode import MAX_LINE, decode
from build_site.model import Level

TEXT = "“All power to the Soviets!” — café, naïve, Müller, £5, ½.\nSecond line.\n"
PATH = "source/x/raw.txt"


def texts(decoded) -> list[str]:
    return [ln.text for ln in decoded.lines]


def codes(decoded) -> list[tuple[str, str, int | None]]:
    return [(d.level.value, d.code, d.line) for d in decoded.diagnostics]


def test_utf8_is_read_as_is_without_a_note():
    d = decode(TEXT.encode("utf-8"), PATH)
    assert (texts(d), d.encoding, codes(d)) == (TEXT.split("\n"), "utf-8", [])


def test_utf8_bom_is_dropped():
    d = decode(codecs.BOM_UTF8 + TEXT.encode("utf-8"), PATH)
    assert texts(d) == TEXT.split("\n") and d.ok and not texts(d)[0].startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_or_without_bom_are_read_and_reported(codec: str):
    d = decode(TEXT.encode(codec), PATH)
    assert texts(d) == TEXT.split("\n")
    assert codes(d) == [("info", "encoding-detected", None)]
    assert d.diagnostics[0].path == PATH and "utf-" in d.diagnostics[0].message


def test_cp1252_is_detected_and_reported():
    text = ("“Smart quotes” and ‘single ones’ — dashes – and the € sign, in a file saved by an "
            "old Windows editor. " * 5).strip()
    d = decode(text.encode("cp1252"), PATH)
    assert texts(d) == [text]
    assert codes(d) == [("info", "encoding-detected", None)]
    assert "read as" in d.diagnostics[0].message


def test_latin1_is_detected_and_reported():
    text = "Le café de la Gare, où Müller a lu « L'État et la révolution », coûtait 5 £. " * 5
    d = decode(text.encode("latin-1"), PATH)
    assert texts(d) == [text]
    assert codes(d) == [("info", "encoding-detected", None)]


@pytest.mark.parametrize("end", ["\r\n", "\r", "\n"])
def test_line_ends_become_lf_and_lines_keep_their_numbers(end: str):
    d = decode(end.join(["one", "two", "", "four"]).encode(), PATH)
    assert [(ln.number, ln.text) for ln in d.lines] == [(1, "one"), (2, "two"), (3, ""),
                                                         (4, "four")]


def test_mixed_line_ends():
    assert texts(decode(b"a\r\nb\rc\nd", PATH)) == ["a", "b", "c", "d"]


def test_form_feed_page_breaks_are_kept_for_the_cleaner():
    d = decode(b"page one\n\x0cpage two\n", PATH)
    assert texts(d) == ["page one", "\x0cpage two", ""] and codes(d) == []


def test_nul_byte_stops_with_its_line():
    d = decode(b"line one\nline two\nbroken \x00 here\n", PATH)
    assert not d.ok and d.lines == ()
    assert codes(d) == [("error", "nul-byte", 3)]
    assert "re-export" in d.diagnostics[0].message and d.diagnostics[0].path == PATH


@pytest.mark.parametrize("data,kind", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Word"),
])
def test_known_binary_files_are_named(data: bytes, kind: str):
    d = decode(data, PATH)
    assert codes(d) == [("error", "binary-file", None)]
    assert kind in d.diagnostics[0].message and "plain-text export" in d.diagnostics[0].message


def test_unknown_binary_stops():
    import random

    rnd = random.Random(7)
    data = bytes(rnd.randrange(256) for _ in range(20000))
    d = decode(data, PATH)
    assert not d.ok and d.lines == ()
    assert [c for _, c, _ in codes(d)] in (["binary-file"], ["nul-byte"])


@pytest.mark.parametrize("data", [b"", b"   \n\n\t\r\n"])
def test_empty_file_stops(data: bytes):
    d = decode(data, PATH)
    assert codes(d) == [("error", "empty-file", None)]
    assert "empty" in d.diagnostics[0].message


def test_stray_bytes_in_utf8_stay_visible_and_are_reported_with_their_line():
    data = "Müller said\n".encode() + b"\x93quoted\x94 in cp1252\n" + "café\n".encode()
    d = decode(data, PATH)
    assert texts(d) == ["Müller said", "\ufffdquoted\ufffd in cp1252", "café", ""]
    assert codes(d) == [("warning", "undecodable-bytes", 2)]


def test_control_characters_are_kept_and_reported():
    d = decode(b"a normal line\nan escape \x1b here\n" + b"text " * 100, PATH)
    assert texts(d)[1] == "an escape \x1b here"
    assert codes(d) == [("warning", "control-character", 2)]


def test_ten_megabyte_single_line_stops_with_a_clear_error():
    data = b"word " * 2_000_000  # 10 MB, no line break
    d = decode(data, PATH)
    assert codes(d) == [("error", "line-too-long", 1)]
    assert "line breaks" in d.diagnostics[0].message and f"{len(data):,}" in (
        d.diagnostics[0].message)


def test_a_long_line_under_the_limit_is_kept():
    line = "w" * (MAX_LINE - 1)
    d = decode(line.encode(), PATH)
    assert d.ok and texts(d) == [line]


def test_fifty_megabyte_text_is_read_whole():
    para = ("The workers' and peasants' government of the Republic of Soviets decrees. " * 10
            + "\n") * 3 + "\n"
    n = 50_000_000 // len(para) + 1
    data = (para * n).encode()
    assert len(data) >= 50_000_000
    d = decode(data, PATH)
    assert d.ok and d.encoding == "utf-8"
    assert len(d.lines) == 4 * n + 1
    assert d.lines[-3].text == para.split("\n")[2] and d.lines[-1].text == ""


def test_decode_never_raises_on_arbitrary_bytes():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=300))
    def run(data: bytes):
        d = decode(data, PATH)
        assert d.ok or d.lines == ()
        assert all(x.level in Level for x in d.diagnostics)
        assert all("\r" not in ln.text for ln in d.lines)

    run()
