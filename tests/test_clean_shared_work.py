"""The cleaner's shared work (one split of the text per fixer, merges memoised across lines
and texts) gives what each line alone gives under the plain definition."""

from __future__ import annotations

import random

from test_clean_speed import _random_lines, _reference_rejoin

from build_site.clean.furniture import FurnitureConfig
from build_site.clean.letterspacing import rejoin_pieces
from build_site.clean.vocabulary import build_vocabulary
from build_site.clean.words import rejoin_split_words
from build_site.model import Line


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
