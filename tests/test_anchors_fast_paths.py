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


def _parse_ledger_plain(text: str):
    """parse_ledger with YAML alone (what it was before ``_ledger_data``): the ledger, or the
    ValueError's message."""
    import yaml
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        entries = []
        for anchor, (digest, size, sketch, words) in (data.get("live") or {}).items():
            fp = A.Print(str(digest), int(size), tuple(int(h, 16) for h in sketch.split()),
                         words)
            entries.append(A.Entry(str(anchor), fp))
        for anchor, (succ, words) in (data.get("retired") or {}).items():
            entries.append(A.Entry(str(anchor), successor=str(succ), words=str(words)))
        return A.Ledger(tuple(entries), int(data.get("next", 1)))
    except (yaml.YAMLError, TypeError, ValueError, AttributeError):
        return "error"


def _parsed(text: str):
    try:
        return A.parse_ledger(text)
    except ValueError:
        return "error"


_LEDGER_WORDS = st.lists(st.sampled_from(_CHARS + ('"', "\\", "/", "#", ": ", "\b", "\f", "\r",
                                                  "\x85", "\u2028")),
                         max_size=12).map("".join)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(1, 40), _LEDGER_WORDS, st.integers(0, 10 ** 6)),
                max_size=6),
       st.lists(st.tuples(st.integers(1, 40), _LEDGER_WORDS), max_size=4),
       st.integers(0, 99), st.randoms(use_true_random=False))
def test_a_ledger_is_read_without_yaml_as_yaml_reads_it(live, retired, nxt, rng):
    """Ledgers written by dump_ledger (any words), then damaged or hand-edited anyhow (a
    character or line changed, an id repeated, a section moved): read as YAML reads them, or
    an error where YAML finds one."""
    ledger = A.Ledger(tuple(
        [A.Entry(f"p-{n}", A.Print(w[:5], size, (n, size % 4096), w)) for n, w, size in live]
        + [A.Entry(f"p-{n}", successor=f"p-{n + 1}", words=w) for n, w in retired]), nxt)
    text = A.dump_ledger(ledger, "demo")
    lines = text.split("\n")
    edits = [lambda: rng.choice(["", "#", "  ", "live:", "retired:", "next: 3", "next: 03",
                                 "  p-1: [\"a\", 1, \"1f\", \"b\"]", "  p-2: [\"p-1\", \"c\"]",
                                 "  p-3: [\"a\",1, \"1f\", \"b\"]", "  p-4: [\"a\", 1e3, \"\", \"\"]",
                                 "  p-5: [\"\\ud83d\\ude00\", 1, \"\", \"\"]", "---", "\t", "p-6: x"]),
             lambda: rng.choice(lines)]
    assert _parsed(text) == _parse_ledger_plain(text), text
    for _ in range(4):
        k = rng.randrange(len(lines) + 1)
        if rng.random() < 0.5 and lines:  # change a character of a line
            line = lines[min(k, len(lines) - 1)]
            at = rng.randrange(len(line) + 1)
            line = line[:at] + rng.choice(['"', "\\", " ", ",", "]", "#", "u", "\\u00e9", "x",
                                           "\\U0001F600", "\\x41", "'", "é", "\r", "😀"]) + line[at:]
            lines[min(k, len(lines) - 1)] = line
        else:
            lines.insert(k, rng.choice(edits)())
        text = "\n".join(lines)
        assert _parsed(text) == _parse_ledger_plain(text), text


def test_the_seed_ledgers_are_read_without_yaml_as_yaml_reads_them():
    paths = sorted((ROOT / "source").glob("*/" + A.LEDGER_FILE))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert A._ledger_data(text) is not None, path  # the fast path is taken
        assert A.parse_ledger(text) == _parse_ledger_plain(text), path


def test_every_escape_in_a_ledger_string_is_read_as_yaml_reads_it():
    escapes = ["\\x41", "\\U0001F600", "\\ud83d\\ude00", "\\ud83d", "\\uDBFF", "\\/", "\\b",
               "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\u00E9", "\\u0000", "\\N", "\\_", "\\0",
               "\\a", "\\e", "\\ ", "\\L", "\\P", "\\v", "\\\\", '\\"', "\\\\x41", "\\\\\\x41",
               "\\u12", "\\'", "\\"]
    taken = 0
    for esc in escapes:
        for text in (f'live:\n  p-1: ["d", 1, "ff", "a{esc}b"]\n',
                     f'retired:\n  p-2: ["p-1", "{esc}"]\nnext: 3\n'):
            assert _parsed(text) == _parse_ledger_plain(text), text
            taken += A._ledger_data(text) is not None
    assert taken >= 20
