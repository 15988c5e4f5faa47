"""The cleaner's shared work (one split of the text per fixer, merges memoised across lines
and texts) gives what each line alone gives under the plain definition."""

from __future__ import annotations

import random
from itertools import accumulate, repeat
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_clean_speed import _random_lines, _reference_rejoin

from build_site.clean import words
from build_site.clean.furniture import FIXERS, FurnitureConfig
from build_site.clean.letterspacing import rejoin_pieces
from build_site.clean.vocabulary import build_vocabulary
from build_site.clean.words import rejoin_split_words
from build_site.decode import decode
from build_site.model import Line

ROOT = Path(__file__).resolve().parents[1]


def _ragged_lines(seed: int, n: int) -> list[str]:
    """Random lines with empty lines, runs of spaces and leading/trailing spaces between them:
    the line of each token must be found however the spaces fall."""
    rng = random.Random(seed)
    out = []
    for t in _random_lines(seed, n):
        r = rng.random()
        out.append("" if r < 0.15 else " " + t if r < 0.25 else t + "  " if r < 0.35 else
                   t.replace(" ", "   ", 1) if r < 0.45 else t)
    return out


def test_rejoin_split_words_finds_the_lines_of_weak_tokens_among_ragged_spacing():
    lines = [Line(k, t) for k, t in enumerate(_ragged_lines(11, 3000), start=1)]
    vocab = build_vocabulary(["the harbour question of the framework"] * 3)
    out, changes = rejoin_split_words(lines, FurnitureConfig(), vocab)
    assert [ln.text for ln in out] == [_reference_rejoin(ln.text, vocab, 2, 5) for ln in lines]
    assert len(changes) > 20


def test_memoised_merges_hold_across_vocabularies():
    """A merge is memoised for the process, keyed on the tokens and their weakness: a second
    text whose vocabulary makes other tokens weak still gets its own answer."""
    texts = _random_lines(12, 1500)
    for vocab in (build_vocabulary(_random_lines(13, 50)),
                  build_vocabulary(["meas ures har bour ques tion"] * 5),
                  build_vocabulary(["the harbour question of the framework"] * 3)):
        for text in texts:
            for args in ((1, 1), (2, 5)):
                assert rejoin_pieces(text, vocab, *args) == _reference_rejoin(text, vocab, *args)


# -- one split of the text for the vocabulary and rejoin_split_words --------------------------

# Tokens of every kind a line's split on spaces can give: empty ones (blank lines, runs of
# spaces), other whitespace inside a token (NBSP, thin space, a newline), pieces and words.
_TOKENS = st.sampled_from(["", "the", "har", "bour", "meas", "ures", "ques", "tion.", "a", "I",
                           "x\u00a0y", "fr\u2009am", "tha\nt", "—", "don't", "“the", "Zq"])
_TEXT_LINES = st.lists(st.lists(_TOKENS, max_size=6).map(" ".join), min_size=1, max_size=20)


@settings(max_examples=400, deadline=None)
@given(_TEXT_LINES, st.data())
def test_space_tokens_are_the_plain_split_of_the_lines_as_they_are(then, data):
    """The tokens taken from the vocabulary's split, with the changed lines split again, are the
    plain split of the lines now; the set holds every one of them."""
    vocab = build_vocabulary(then)
    now = list(then)
    for k in data.draw(st.lists(st.integers(0, len(now) - 1), max_size=5)):
        now[k] = data.draw(st.lists(_TOKENS, max_size=6).map(" ".join))
    starts = list(accumulate(map((1).__add__, map(str.count, now, repeat(" "))), initial=0))
    tokens, seen = words._space_tokens(now, starts, vocab)
    plain = " ".join(now).split(" ")
    assert tokens == plain and seen >= set(plain)
    assert [tokens[starts[k]:starts[k + 1]] for k in range(len(now))] == [
        t.split(" ") for t in now]


def test_rejoin_split_words_with_the_vocabularys_split_after_changes():
    """The usual case in the cleaner: the vocabulary was made from these very lines, and the
    fixers between changed some of them (here every seventh, and some to pieces to rejoin)."""
    texts = _ragged_lines(21, 2000)
    vocab = build_vocabulary(texts)
    changed = [t if k % 7 else ("the fr am ew ing, of" if k % 2 else "")
               for k, t in enumerate(texts)]
    lines = [Line(k + 1, t) for k, t in enumerate(changed)]
    out, changes = words.rejoin_split_words(lines, FurnitureConfig(), vocab)
    assert [ln.text for ln in out] == [_reference_rejoin(t, vocab, 2, 5) for t in changed]
    assert sum(c.line % 14 == 8 for c in changes) > 100  # (lines 8, 22, ...: changed ones)


def test_rejoin_split_words_on_the_seed_texts_as_the_cleaner_gives_them():
    """Every seed text through the cleaner up to rejoin_split_words (so with the lines that
    the letter-spacing and line-break fixers changed since the vocabulary's split): each line
    is what the plain rejoin of that line gives."""
    from build_site import library, metadata

    lib, _ = metadata.load_library(ROOT / "source")
    tried = 0
    for slug, meta in lib.works.items():
        raw = (ROOT / "source" / slug / meta.raw_file).read_bytes()
        cfg = library.furniture_config(meta)
        current = list(decode(raw, slug).lines)
        for fixer in FIXERS:
            current, _ = fixer(current, cfg)
        vocab = build_vocabulary(ln.text for ln in current)
        before = [ln.text for ln in current]
        current, _ = words.collapse_letterspacing(current, cfg, vocab)
        current, _ = words.join_line_breaks(current, cfg, vocab)
        tried += sum(a != ln.text for a, ln in zip(before, current))
        out, _ = words.rejoin_split_words(current, cfg, vocab)
        assert [ln.text for ln in out] == [_reference_rejoin(ln.text, vocab, 2, 5)
                                           for ln in current]
    assert tried > 50  # lines changed since the vocabulary's split were there to patch
