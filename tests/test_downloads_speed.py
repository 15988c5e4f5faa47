"""Downloads made faster stay the same bytes: the plain text's wrapping is textwrap's, line for
line, and the EPUB written in one pass is the EPUB that ebooklib writes, re-stamped."""

from __future__ import annotations

import io
import textwrap
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from test_downloads import INFO, tiny_doc

from build_site import downloads

# Words, single and double spaces, textwrap's whitespace, whitespace textwrap does not split
# on (no-break space, thin space, line separator, file separator) and long words.
PIECES = st.sampled_from([
    "a", "word", "revolution", "x" * 30, "y" * 80, "co-operation", " ", " ", " ", "  ", "\t",
    "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u2009", "\u2028", "\x1c", "\u3000", "é", "—"])


def _reference(text: str, width: int, indent: str) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join), st.sampled_from([8, 20, 72]),
       st.sampled_from(["", "    "]))
def test_wrap_is_textwrap_line_for_line(text: str, width: int, indent: str):
    assert downloads._wrap(text, width, indent) == _reference(text, width, indent)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "word", "revolutionary", "z" * 75]), max_size=40))
def test_wrap_of_single_spaced_words_is_textwrap(words: list[str]):
    text = " ".join(words)  # the shorter road (_wrap_simple)
    for width, indent in ((72, ""), (72, "    "), (10, "")):
        assert downloads._wrap(text, width, indent) == _reference(text, width, indent)


def test_every_whitespace_but_the_space_is_unprintable():
    """The premise of ``downloads._simple``'s shortcut, over every code point: the characters
    ``_NOT_SIMPLE``'s ``[^\\S ]`` finds are exactly the whitespace other than the space, and none
    of them is printable."""
    import re

    other = re.compile(r"[^\S ]")
    for code in range(0x110000):
        c = chr(code)
        found = other.match(c) is not None
        assert found == (c.isspace() and c != " "), hex(code)
        assert not (found and c.isprintable()), hex(code)


def test_the_characters_xml_forbids_are_unprintable():
    """The premise of ``downloads._xml``'s shortcut, over every code point."""
    for code in range(0x110000):
        c = chr(code)
        assert not (downloads._XML_BAD.match(c) and c.isprintable()), hex(code)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["a", "<b>", "&", "'", '"', " ", "\x00", "\x0b", "\x1f", "\t",
                                 "\n", "\ufffe", "\uffff", "\u00a0", "é"]), max_size=12).map("".join))
def test_xml_text_is_the_plain_escape(text: str):
    import html

    assert downloads._xml(text) == html.escape(downloads._XML_BAD.sub("", text), quote=True)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_simple_is_the_regex_test(text: str):
    assert downloads._simple(text) == (downloads._NOT_SIMPLE.search(text) is None)


def _restamped(data: bytes) -> bytes:
    """Every entry of the zip ``data`` re-written with the fixed time (as was done before)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for entry in src.infolist():
            info = zipfile.ZipInfo(entry.filename,
                                   date_time=downloads.FIXED_TIME.timetuple()[:6])
            info.compress_type = entry.compress_type
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(entry.filename))
    return out.getvalue()


def test_the_epub_is_ebooklibs_own_with_fixed_entry_times(monkeypatch):
    from ebooklib import epub

    fast = downloads.epub_bytes(tiny_doc(), INFO)
    monkeypatch.setattr(downloads, "_writer_class", lambda: epub.EpubWriter)
    plain = downloads.epub_bytes(tiny_doc(), INFO)  # ebooklib's writer: stamped with today
    assert plain != fast and _restamped(plain) == fast
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
