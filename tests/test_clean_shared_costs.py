"""The letter-spacing segmenter's word costs, shared between texts where general English alone
settles them, are each text's own ``Vocabulary.cost`` (issue 11, conversion throughput).

Several vocabularies ask for the same strings in random order (the shared table keeps what it
learnt from one text for the next): every answer must be the plain method's.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from build_site.clean import letterspacing
from build_site.clean.vocabulary import build_vocabulary

_PIECES = ["the", "a", "i", "s", "’s", "'s", "’", "'", "Lenin", "tchernov", "zzq", "ov", "TH",
           "é", "İ", "’’", "''s", "x", "nep", "kulak", "s’s"]
_TEXTS = [
    "The kulak and the kulak’s land; Tchernov and Tchernov again, the NEP and the nep.",
    "Zzq zzq zzq ov ov ov: nonsense words, thrice each, and Lenin’s Lenin Lenin.",
    "",
    "the the the a a i i s s x x x é é é İ İ İ",
]


def _strings(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 4)))


def test_shared_costs_are_each_texts_own():
    rng = random.Random(6)
    letterspacing._GENERAL_COSTS.clear()
    vocabs = [build_vocabulary(t.split("\n")) for t in _TEXTS]
    memos = [letterspacing._CostMemo(v) for v in vocabs]
    own = 0
    for _ in range(20_000):
        k = rng.randrange(len(vocabs))
        w = _strings(rng)
        assert memos[k][w] == vocabs[k].cost(w), (k, w)
        own += letterspacing._counted_word(w) in vocabs[k].counts
    assert own > 300  # the texts' own counts were asked for, not only general English
    # Texts with and without a word give it different costs: the test can tell them apart.
    assert vocabs[0].cost("kulak") != vocabs[2].cost("kulak")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="abskTİé’'", max_size=8), st.sampled_from(range(len(_TEXTS))))
def test_shared_cost_of_any_string(w, k):
    vocab = build_vocabulary(_TEXTS[k].split("\n"))
    assert letterspacing._CostMemo(vocab)[w] == vocab.cost(w)


# -- _CostMemo's price of unknown ASCII strings, without word_cost's calls ----------------------

_RUN_PIECES = ["the", "a", "i", "s", "x", "q", "zz", "zzq", "tim", "eo", "Lenin", "tchernov", "kulak",
               "NEP", "nep", "’s", "'", "é", "İ", "×", "ov", "harbour", "books", ""]


def _substrings(s: str, maxlen: int = 24) -> list[str]:
    return [s[i:j] for j in range(1, len(s) + 1) for i in range(max(0, j - maxlen), j)]


def test_run_costs_are_each_texts_own():
    """Every substring of random runs, as the segmenter asks for them (after other strings,
    in texts with and without the words, the shared table filled by all), costs what
    ``Vocabulary.cost`` says; both ways are taken (unknown ASCII letters, and the rest)."""
    rng = random.Random(7)
    vocabs = [build_vocabulary(t.split("\n")) for t in _TEXTS]
    memos = [letterspacing._CostMemo(v) for v in vocabs]
    plain = other = 0
    for _ in range(400):
        k = rng.randrange(len(vocabs))
        run = "".join(rng.choice(_RUN_PIECES) for _ in range(rng.randint(0, 8)))
        if rng.random() < 0.3:
            memos[k][_strings(rng)]  # asked for before
        subs = _substrings(run, rng.choice([24, 5]))
        for w in subs:
            memos[k][w]
        for w in subs:
            assert dict.__getitem__(memos[k], w) == vocabs[k].cost(w), (k, w)
            if w.isascii() and w.isalpha() and vocabs[k].cost(w) >= 24.0:
                plain += 1
            else:
                other += 1
    assert plain > 1000 and other > 1000


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.text(alphabet="abskTİé’'×", max_size=8), max_size=20),
       st.sampled_from(range(len(_TEXTS))))
def test_memo_cost_of_any_strings(ws, k):
    vocab = build_vocabulary(_TEXTS[k].split("\n"))
    memo = letterspacing._CostMemo(vocab)
    for w in ws:
        memo[w]
    assert set(memo) == set(ws)
    assert all(dict.__getitem__(memo, w) == vocab.cost(w) for w in ws)


def test_costs_of_the_seed_runs():
    """Every substring the segmenter tries on the seed texts' letter-spaced lines costs what
    ``Vocabulary.cost`` says in that text (the shared table filled by the texts before)."""
    from pathlib import Path

    from build_site.clean.letterspacing import _LETTERS, maybe_spaced

    root = Path(__file__).resolve().parents[1] / "source"
    tried = 0
    for raw in sorted(root.glob("*/*.txt")):
        lines = raw.read_text("utf-8", errors="replace").splitlines()
        vocab = build_vocabulary(lines)
        memo = letterspacing._CostMemo(vocab)
        for line in filter(maybe_spaced, lines):
            run = "".join(line.split())
            for letters in _LETTERS.findall(run):
                subs = _substrings(letters)
                for w in subs:
                    memo[w]
                for w in subs:
                    assert dict.__getitem__(memo, w) == vocab.cost(w), (raw.name, w)
                tried += len(subs)
    assert tried > 10_000
