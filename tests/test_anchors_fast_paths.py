"""The anchors stage's cheaper forms (build_site/anchors.py) against the plain definitions of
the same thing, on random texts that mix the characters where they could differ, and on the
seed texts."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
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


def _parse_ledger_plain(text: str) -> A.Ledger:
    """parse_ledger as first written: YAML reads every ledger."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        entries = []
        for anchor, (digest, size, sketch, words) in (data.get("live") or {}).items():
            fp = A.Print(str(digest), int(size), tuple(int(h, 16) for h in sketch.split()), words)
            entries.append(A.Entry(str(anchor), fp))
        for anchor, (succ, words) in (data.get("retired") or {}).items():
            entries.append(A.Entry(str(anchor), successor=str(succ), words=str(words)))
        return A.Ledger(tuple(entries), int(data.get("next", 1)))
    except (yaml.YAMLError, TypeError, ValueError, AttributeError) as err:
        raise ValueError(str(err)) from err


def _same_ledger(text: str) -> None:
    try:
        want = _parse_ledger_plain(text)
    except ValueError:
        with pytest.raises(ValueError):
            A.parse_ledger(text)
        return
    assert A.parse_ledger(text) == want, text


# First words as a ledger may hold them: quotes, backslashes, controls, letters of any script,
# characters outside the BMP (JSON writes them as surrogate pairs, which YAML refuses).
_WORDS = st.text(st.sampled_from(list('ab "\\/#:[]{},\'-\t\n\r\x00\x07\x7f\x85\u2028é—“😀\ud7ff\ue000')),
                 max_size=12)
_ENTRY = st.tuples(st.integers(1, 40), st.booleans(), _WORDS,
                   st.lists(st.integers(0, 2**32 - 1), max_size=4), st.integers(0, 10**6))


@settings(max_examples=800, deadline=None, derandomize=True)
@given(st.lists(_ENTRY, max_size=6), st.integers(1, 99), st.sampled_from(["demo", "dé", "a#b"]))
def test_ledgers_read_by_lines_equal_the_yaml_reading(entries, nxt, slug):
    """Every ledger dump_ledger writes reads as YAML reads it (or fails as YAML fails)."""
    made = []
    for n, live, words, sketch, size in entries:
        if live:
            fp = A.Print(f"{size:012x}", size, tuple(sketch), words)
            made.append(A.Entry(f"p-{n}", fp))
        else:
            made.append(A.Entry(f"p-{n}", successor=words or "p-1", words=words))
    _same_ledger(A.dump_ledger(A.Ledger(tuple(made), nxt), slug))


@settings(max_examples=800, deadline=None, derandomize=True)
@given(st.integers(0, 10**9), st.sampled_from(["", "x", " ", "\n", "#", '"', "\\", ":", "[",
                                              "]", ",", "0", "-", "\\u", "\t", "é", "  p-9: "]),
       st.integers(0, 3))
def test_edited_ledgers_read_by_lines_equal_the_yaml_reading(at, insert, cut):
    """A ledger edited anyhow (a character inserted or cut anywhere) reads as YAML reads it:
    by lines when it is still in dump_ledger's form, else by YAML itself."""
    text = (ROOT / "source/soviets-at-work/anchors.yml").read_text("utf-8")[:3000]
    text = text[:text.rfind("\n", 0, 2500) + 1] + "retired:\n  p-900: [\"p-1\", \"gone\"]\n"
    at %= len(text) + 1
    _same_ledger(text[:at] + insert + text[at + cut:])


def test_the_seed_ledgers_are_read_by_lines_as_yaml_reads_them():
    paths = sorted((ROOT / "source").glob("*/anchors.yml"))
    assert len(paths) >= 5
    for path in paths:
        text = path.read_text("utf-8")
        assert A._dumped(text) is not None, path  # the quick reading applies
        assert A.parse_ledger(text) == _parse_ledger_plain(text), path
