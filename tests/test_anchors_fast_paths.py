"""The anchors stage's cheaper forms (build_site/anchors.py) against the plain definitions of
the same thing, on random texts that mix the characters where they could differ, and on the
seed texts."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from build_site import anchors as A

ROOT = Path(__file__).resolve().parents[1]
_WORD = re.compile(r"\w+")


def _words_of_plain(text: str) -> list[str]:
    """words_of as defined: the \\w+ runs of the text normalised (NFKC) and case-folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


# Characters where a quick path could go wrong: the marks turned into spaces, letters whose
# normal form or folded case is ASCII or another length ('ﬁ', 'ẞ', 'İ', the Kelvin sign, a
# full-width letter), characters that normalise to a mark ('\ufe58' is a small em dash, '\u2025'
# two dots), combining accents (next to a mark too), digits of other scripts, '_', controls.
_CHARS = ("a", "Z", "q", "0", "7", "_", " ", "  ", "\n", "\t", ",", ".", "-", "'", "(", "“", "”",
          "—", "’", "‘", "–", "é", "e\u0301", "\u0301", "—\u0301", "ﬁ", "ẞ", "ß", "İ", "ı", "K",
          "Ａ", "ｚ", "\ufe58", "\ufe31", "\u2025", "①", "٣", "Σ", "ς", "Ω", "и", "\u00a0", "\u200b",
          "\x00", "\x7f", "«", "»", "…", "½", "ǅ", "ﬀ")


@st.composite
def _texts(draw):
    return "".join(draw(st.lists(st.sampled_from(_CHARS) | st.text(max_size=3), max_size=40)))


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(_texts())
def test_words_and_digests_equal_the_plain_definition(text):
    words = _words_of_plain(text)
    assert A.words_of(text) == words
    assert A.digest_size(text) == (A._digest(words), len(words))


def test_words_and_digests_equal_the_plain_definition_on_the_seed_texts():
    from build_site.library import build_library

    built = build_library(ROOT / "source")
    texts = [b.text for d in built.documents for b in A.anchored_blocks(d.sections)]
    texts += [n.text for d in built.documents for n in d.notes]
    texts += [s.title for d in built.documents for s in A.all_sections(d.sections)]
    assert len(texts) > 2000 and not all(t.isascii() for t in texts)
    for text in texts:
        words = _words_of_plain(text)
        assert A.words_of(text) == words, text
        assert A.digest_size(text) == (A._digest(words), len(words)), text
