"""Fast paths of the converter outside the cleaner give the same results as the plain code they
replaced (the cleaner's own are in test_clean_speed.py).

Each is compared with a straightforward copy of the earlier code on many generated inputs; none
comes from the five source texts. Speed itself is measured by benchmarks/convert_profile.py,
never by a test.
"""

from __future__ import annotations

import random
import re

from build_site.segment import _norm

# Every kind of whitespace the old patterns and str.split could disagree on, punctuation that
# _norm treats specially, letters whose case folding changes their length.
_ALPHABET = list("abcXYZ ßİΣς:;,.-") + ["\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c",
                                        "\x85", "\u200b", "  "]


def _reference_norm(t: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*([:;,])", r"\1", t)).strip().casefold()


def test_norm_is_the_earlier_two_substitutions():
    rng = random.Random(3)
    for _ in range(20_000):
        t = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 24)))
        assert _norm(t) == _reference_norm(t), repr(t)


def test_repeated_below_is_the_scan_of_the_rest_of_the_text():
    from build_site.model import Line
    from build_site.segment import StructureConfig, _Builder

    rng = random.Random(4)
    texts = ["Chapter One", "chapter  one", "THE PLAN ; ITS END", "the plan; its end", "",
             "Other words", "other words:", "OTHER WORDS :"]
    for _ in range(300):
        lines = [Line(k, rng.choice(texts)) for k in range(1, rng.randint(2, 30))]
        b = _Builder(lines, StructureConfig(), "A Work", frozenset())
        # Questions in any order, each answered as the plain scan answers it.
        for _ in range(10):
            i, t = rng.randrange(len(lines)), rng.choice(texts)
            expected = any(_reference_norm(lines[k].text) == _reference_norm(t)
                           for k in range(i + 1, len(lines)))
            assert b.repeated_below(i, t) == expected, (i, t, [ln.text for ln in lines])


def _reference_damaged_spans(text: str, window: int = 6, need: int = 3) -> list[tuple[int, int]]:
    """The plain definition: every window summed afresh."""
    from build_site.paragraphs import _garbled_weight

    toks = text.split()
    bad = [_garbled_weight(t) for t in toks]
    spans: list[tuple[int, int]] = []
    for k in range(max(0, len(toks) - window + 1)):
        if sum(bad[k:k + window]) >= need:
            if spans and spans[-1][1] >= k:
                spans[-1] = (spans[-1][0], k + window)
            else:
                spans.append((k, k + window))
    return spans


def test_damaged_spans_is_the_sum_of_every_window():
    from build_site.paragraphs import damaged_spans

    rng = random.Random(5)
    # Words (weight 0), garbled tokens (1) and long garbled ones (2), in runs of every length.
    vocab = ["the", "party", "and", "workers", "xq1z", "zq2x", "wq3v", "b7c",
             "qzxvbnmqwrtplk9", "xxqqzzvvbbnnmm"]
    found = 0
    for _ in range(5000):
        toks = [rng.choice(vocab) for _ in range(rng.randint(0, 40))]
        text = " ".join(toks)
        window, need = rng.randint(1, 8), rng.randint(1, 6)
        got = damaged_spans(text, window, need)
        assert got == _reference_damaged_spans(text, window, need), (text, window, need)
        found += bool(got)
    assert found > 1000  # the generated paragraphs do reach the threshold


def test_notes_heads_are_what_the_heading_pattern_matches():
    from build_site.notes import _NOTES_HEADS, NOTES_HEAD

    rng = random.Random(7)
    pieces = ["NOTES", "Notes", "notes", "ENDNOTES", "Endnotes", "EXPLANATORY", " ", "\n",
              "\t", "Note", "S", ""]
    samples = list(_NOTES_HEADS) + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(20_000)]
    for t in samples:
        s = t.strip()
        assert (s in _NOTES_HEADS) == bool(NOTES_HEAD.match(s)), repr(t)
