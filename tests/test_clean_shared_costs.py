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
