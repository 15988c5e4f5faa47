"""Fast paths for a fresh process's first conversion give the plain code's answers (issue 11,
conversion throughput on one core, cold costs).

A fresh process meets most of a text's words for the first time: the per-word decisions are
taken for many words at once (C-level maps over wordfreq's table) or from the table instead of
wordfreq's tokenizer. Each is compared with the plain code on generated words, on words from
each band of wordfreq's list, and on every token of the seed texts. Speed itself is measured by
benchmarks/convert_profile.py (``--fresh``), never here.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from wordfreq import get_frequency_list, zipf_frequency

from build_site import paragraphs
from build_site.clean.vocabulary import zipf_en

ROOT = Path(__file__).resolve().parents[1]


def _seed_tokens() -> list[str]:
    out: set[str] = set()
    for raw in sorted(ROOT.glob("source/*/*.txt")):
        out.update(raw.read_text("utf-8", "replace").split())
    assert len(out) > 10_000
    return sorted(out)


SEED_TOKENS = _seed_tokens()
# Tokens rich in what the tests turn on: ASCII and other letters, both cases, digits, the
# punctuation stripped from a token's edges, apostrophes and hyphens.
_TOKENS = st.text(alphabet="aeqzAQZéİß19'’-.,“”()[]*—", max_size=14)


def _band_words() -> list[str]:
    """A few words of every frequency band of wordfreq's English list (ASCII letters and
    others), so that every table value is met."""
    rng = random.Random(3)
    out = []
    for band in get_frequency_list("en", "best"):
        out.extend(rng.sample(band, min(3, len(band))))
    return out


# -- zipf_en is zipf_frequency(word, "en") ----------------------------------------------------

def test_zipf_of_every_band_is_wordfreqs():
    for w in _band_words():
        for form in (w, w.capitalize(), w.upper()):
            assert zipf_en(form) == zipf_frequency(form, "en"), form


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_TOKENS, st.text(alphabet="abcdefghijklmnopqrstuvwxyzQ", max_size=12)))
def test_zipf_of_any_word_is_wordfreqs(w):
    assert zipf_en(w) == zipf_frequency(w, "en")


def test_zipf_of_the_seed_words_is_wordfreqs():
    for t in SEED_TOKENS[::7]:
        for w in (t, t.strip(".,;:!?\"“”‘’'()[]*—-").lower()):
            assert zipf_en(w) == zipf_frequency(w, "en"), w


# -- damaged_spans: the tokens passed as listed words weigh nothing ---------------------------

@settings(max_examples=3000, deadline=None)
@given(st.lists(_TOKENS, max_size=20))
def test_listed_tokens_weigh_nothing(tokens):
    listed = paragraphs._listed(set(tokens))
    assert set(listed) <= set(tokens)
    assert all(paragraphs._garbled_weight(t) == 0 for t in listed)


def test_listed_seed_tokens_weigh_nothing_and_most_are_listed():
    listed = paragraphs._listed(set(SEED_TOKENS))
    assert all(paragraphs._garbled_weight(t) == 0 for t in listed)
    assert len(listed) > len(SEED_TOKENS) / 2  # the fast path does take most words


def test_damaged_spans_of_the_seed_paragraphs_as_the_plain_definition():
    from test_convert_fast_paths import _reference_damaged_spans

    texts = []
    for raw in sorted(ROOT.glob("source/*/*.txt")):
        texts.extend(raw.read_text("utf-8", "replace").split("\n\n"))
    found = 0
    for round_ in range(2):
        paragraphs._PLAIN.clear()  # as in a fresh process, then with what it learnt
        for text in texts:
            got = paragraphs.damaged_spans(text)
            assert got == _reference_damaged_spans(text), text[:200]
            found += bool(got)
    assert found > 10


# -- general_frequency of hyphenated ASCII words is word_frequency's --------------------------

_PARTS = st.one_of(st.sampled_from(["rank", "and", "file", "co", "ordinating", "e", "mail",
                                    "non", "a", "i", "self", "styled", "zzq", "Party", "WAR"]),
                   st.text(alphabet="abeiqxzAE", min_size=1, max_size=6))


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PARTS, min_size=2, max_size=4))
def test_hyphenated_word_frequency_is_wordfreqs(parts):
    from wordfreq import word_frequency

    from build_site.clean.vocabulary import general_frequency

    w = "-".join(parts)
    assert general_frequency(w) == word_frequency(w.lower(), "en"), w


def test_hyphenated_words_of_every_band_and_of_the_seed_texts_are_wordfreqs():
    from wordfreq import word_frequency

    from build_site.clean.vocabulary import general_frequency

    words = [w for w in _band_words() if w.isascii() and w.isalpha()]
    rng = random.Random(4)
    pairs = ["-".join(rng.sample(words, rng.choice([2, 3]))) for _ in range(3000)]
    seed = {w for w in (t.strip(".,;:!?\"“”‘’'()[]*—").lower() for t in SEED_TOKENS)
            if re.fullmatch(r"[a-z]+(?:-[a-z]+)+", w)}  # (plain words: others weigh 0.0)
    tried = 0
    for w in pairs + sorted(seed):
        assert general_frequency(w) == word_frequency(w, "en"), w
        tried += w.isascii() and all(p.isalpha() for p in w.split("-"))
    assert tried > 3000 and len(seed) > 300
