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
