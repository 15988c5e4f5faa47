"""What counts as a known word: a general English frequency list plus the text's own words.

The fixers that change words (letter-spacing, hyphens, glued compounds, OCR repair) only act
when the result is a known word, so this is the guard that keeps them conservative. The text's
own vocabulary counts words seen on ordinary lines of the same file: names and old
transliterations ('Tchernov', 'Lenine') are known because the author uses them elsewhere.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, repeat

from wordfreq import (
    freq_to_zipf,
    get_frequency_dict,
    word_frequency,
    zipf_frequency,
    zipf_to_freq,
)

WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:[’'][A-Za-z]+)?")
HYPHENATED = re.compile(r"\b([A-Za-z]{2,})-([A-Za-z]{2,})\b")

FUNCTION_WORDS = frozenset(["a", "an", "the", "in", "to", "that", "this", "it", "by", "and", "if", "which", "who", "whom", "whose", "we", "they", "he", "she", "but", "or", "for", "as", "is", "are", "was", "were", "be", "not", "with", "of", "on", "at", "from", "all", "these", "those", "there", "when", "where", "what", "our", "their", "its", "so", "such", "i", "you", "his", "her", "them", "us", "my", "no", "nor", "yet", "than", "then", "though", "because", "while", "whether", "even", "also", "only"])


_PLAIN = re.compile(r"[a-z\u00e0-\u024f]+(?:['-][a-z\u00e0-\u024f]+)*")
_ROUNDED: dict[float, float] = {}
_TABLE: list[dict[str, float]] = []  # english_table's dict, once asked for


def english_table() -> dict[str, float]:
    """wordfreq's own English table (token -> frequency): wordfreq loads it once and keeps
    it (the same dict ``word_frequency`` and ``zipf_frequency`` read). For a plain ASCII word
    a lookup here is their answer without their tokenizer, which costs most of their time."""
    if not _TABLE:
        _TABLE.append(get_frequency_dict("en", "best"))
    return _TABLE[0]


def _as_wordfreq_rounds(freq: float) -> float:
    """The frequency as ``word_frequency`` returns it for a one-token word: the same
    arithmetic (1/(1/f), then three significant digits), memoised per table value."""
    out = _ROUNDED.get(freq)
    if out is None:
        unrounded = max(1.0 / (0.0 + 1.0 / freq), 0.0)
        # math.log(x, 10), not log10: wordfreq's own expression, for the same last digit.
        out = 0.0 if unrounded == 0.0 else round(
            unrounded, math.floor(-math.log(unrounded, 10)) + 3)  # noqa: FURB163
        _ROUNDED[freq] = out
    return out


_ZIPF: dict[float | None, float] = {}


def zipf_en(word: str) -> float:
    """``zipf_frequency(word, "en")``. A word of ASCII letters is one token to wordfreq's
    tokenizer (as for ``general_frequency``): its figure is its table value's, worked out as
    wordfreq does (``word_frequency`` with the minimum ``zipf_frequency`` passes, which every
    listed value exceeds, then rounded as Zipf) once per value rather than per word through
    the tokenizer. Other words are wordfreq's own answer."""
    if not (word.isascii() and word.isalpha()):
        return zipf_frequency(word, "en")
    freq = (_TABLE[0] if _TABLE else english_table()).get(word.lower())
    zipf = _ZIPF.get(freq)
    if zipf is None:
        # Not listed: word_frequency returns its minimum as it is, unrounded.
        rounded = zipf_to_freq(0.0) if freq is None else (
            _ROUNDED.get(freq) or _as_wordfreq_rounds(freq))
        zipf = _ZIPF[freq] = round(freq_to_zipf(rounded), 2)
    return zipf


@lru_cache(maxsize=200_000)
def general_frequency(word: str) -> float:
    """Frequency of a word in general English (0.0 when unknown). Only plain words are
    looked up: wordfreq would split 'versi~ns' into pieces and score those.

    A word of ASCII letters is one token to wordfreq's tokenizer, so it is looked up in
    wordfreq's table directly: the same figure as ``word_frequency`` (tested), without
    tokenizing every word of every text (that was the converter's largest single cost)."""
    w = word.lower().replace("’", "'")
    if w.isascii() and w.isalpha():
        # (Each word asks once, but some 10^4-10^5 words do: the table and the rounding are
        # looked up here rather than through two more calls.)
        freq = (_TABLE[0] if _TABLE else english_table()).get(w)
        if freq is None:
            return 0.0
        rounded = _ROUNDED.get(freq)
        return _as_wordfreq_rounds(freq) if rounded is None else rounded
    if not _PLAIN.fullmatch(w):
        return 0.0
    if "'" not in w and w.isascii():
        return _compound_frequency(w.split("-"))
    return word_frequency(w, "en")


def _compound_frequency(parts: list[str]) -> float:
    """``word_frequency`` of ASCII words joined by hyphens ('rank-and-file'), which wordfreq's
    tokenizer cuts at each hyphen: its combination of the parts' table values (1/f = 1/f1 +
    1/f2 + ..., none when a part is not listed), rounded as it rounds, without the tokenizer
    (tested against ``word_frequency``)."""
    table = _TABLE[0] if _TABLE else english_table()
    one_over = 0.0
    for part in parts:
        freq = table.get(part)
        if freq is None:
            return 0.0
        one_over += 1.0 / freq
    unrounded = max(1.0 / one_over, 0.0)
    return round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)  # noqa: FURB163


@dataclass(frozen=True)
class Vocabulary:
    """Word counts of one text (lower case) and the hyphenated compounds it prints."""

    counts: Counter = field(default_factory=Counter)
    compounds: frozenset[str] = frozenset()
    total: int = 1
    compound_counts: Counter = field(default_factory=Counter)
    em_dashes: int = 0
    """How often the text prints a real dash: where it does, a hyphen is a hyphen."""
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """Per-token decisions of the fixers that depend only on this vocabulary (tokens repeat:
    a text has some 10^4 distinct tokens in 10^5), under the name of the decision; and the
    text's tokens as ``build_vocabulary`` split them ("split") and as ``rejoin_split_words``
    left them ("tokens"), for the fixers after. It lives and dies with the text's
    vocabulary, so it is bounded by the text."""

    def corpus_count(self, word: str) -> int:
        return self.counts.get(word.lower(), 0)

    def known(self, word: str, min_general: float = 1e-7, min_count: int = 2) -> bool:
        """A word is known when general English uses it or this text has it at least twice."""
        w = word.lower()
        if len(w) == 1:
            return w in ("a", "i")
        return general_frequency(w) >= min_general or self.counts.get(w, 0) >= min_count

    def cost(self, word: str) -> float:
        """Negative log probability, for word segmentation; unknown strings are expensive."""
        w = word.lower().replace("'", "’")
        if w.startswith("’"):
            return 60.0
        if w.endswith("’s") and len(w) > 2:
            return self.cost(w[:-2]) + 1.0
        if w.endswith("’") and len(w) > 1:
            return self.cost(w[:-1]) + 1.5
        return self.word_cost(w)

    def word_cost(self, w: str) -> float:
        """``cost`` of a lower-case string once its apostrophes are settled (it holds none:
        the letter-spacing segmenter asks this of most of the strings it tries)."""
        p = max(general_frequency(w), self.counts.get(w, 0) / self.total)
        if len(w) == 1 and w not in ("a", "i"):
            p = min(p, 1e-9)
        if p <= 0:
            return 24.0 + 1.5 * len(w)
        return -math.log(p)


_PUNCTUATION = ".,;:!?\"“”‘’'()[]—-"  # (no letter: stripped, a word is what remains)
_MIXED_CASE = re.compile(r"[A-Z]{2}[a-z]|[a-z][A-Z]")


def build_vocabulary(texts: Iterable[str]) -> Vocabulary:
    """Count words in lines that look ordinary (not letter-spaced, not OCR-noisy)."""
    # Raw forms are counted first (the filter and the lower-casing then run once per
    # distinct form), and found in each distinct space-separated token, once: no word spans
    # whitespace of any kind, and str.split is far faster than the pattern, which then reads
    # a token once instead of at every repetition. The text is split on spaces (not on all
    # whitespace: the words found are the same) so that ``rejoin_split_words`` can take the
    # tokens of each line from this one split (memo "split"), splitting again only the lines
    # changed since.
    lines = list(texts)
    text = " ".join(lines)
    tokens = text.split(" ")
    chunks = Counter(tokens)
    raw: dict[str, int] = {}
    for chunk, times in chunks.items():
        if chunk.isascii() and chunk.isalpha():  # the usual token: one word, itself
            raw[chunk] = raw.get(chunk, 0) + times
            continue
        # The next most usual: one such word in punctuation ('word,', '“word'), which holds
        # no other match of the pattern (its apostrophe part needs letters after it).
        core = chunk.strip(_PUNCTUATION)
        if core.isascii() and core.isalpha():
            raw[core] = raw.get(core, 0) + times
            continue
        for w in WORD.findall(chunk):
            raw[w] = raw.get(w, 0) + times
    # Summed in a plain dict (a Counter calls its Python ``__missing__`` for each new word).
    summed: dict[str, int] = {}
    mixed = _MIXED_CASE.search
    for w, n in raw.items():
        # Lower-case words cannot be mixed case: only the others are tested.
        if len(w) >= 3 and (w.islower() or not mixed(w)):
            low = w.lower().replace("'", "’")
            summed[low] = summed.get(low, 0) + n
    counts = Counter(summed)
    compounds: Counter = Counter()
    # Compounds are found in each distinct token that holds a hyphen, once, and counted as
    # often as the token occurs: a match spans no whitespace, and the word boundaries at a
    # token's ends are the same alone as between the spaces or line ends around it (a few
    # hundred short tokens read, rather than every line with a hyphen).
    for chunk in compress(chunks, map(str.__contains__, chunks, repeat("-"))):
        for left, right in HYPHENATED.findall(chunk):
            if right.lower() not in FUNCTION_WORDS and left.lower() not in FUNCTION_WORDS:
                compounds[f"{left}-{right}".lower()] += chunks[chunk]
    vocab = Vocabulary(counts, frozenset(compounds), max(1, sum(counts.values())), compounds,
                       text.count("—"))
    vocab.memo["split"] = (lines, tokens, chunks)
    return vocab
