"""Letter-spaced runs ('b o o k s . A n d h e n c e'): the PDF kept the spacing of spaced type
and lost the word spaces. The run is collapsed and cut into words again by the cheapest
segmentation under a word-frequency model (general English plus the text's own words).

Unsafe when: a run of genuinely one-letter tokens (a list 'a b c', initials 'J. V.') is long
enough to look spaced; the detector wants at least four one-character tokens making up most of
the run, and the segmenter keeps initials with their full stops.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Final

from .vocabulary import _TABLE, Vocabulary, english_table, general_frequency

_LAST_PIECE = re.compile(r"^([A-Za-z]+)(\W*)$")
_LETTERS = re.compile(r"[A-Za-z\u00c0-\u024f’']+")
_OPENING = "“‘(["
_NO_SPACE_AFTER = "“‘([—-"
_NO_SPACE_BEFORE = ".,;:!?”’)]—-…"


def _short(tok: str) -> bool:
    return len(tok) <= 2


_SPACE_SINGLE = re.compile(r"\s[^\W\d_](?!\S)")
r"""A one-letter token with the space before it, on a line with a space put in front: the
count of ``(?<!\S)[^\W\d_](?!\S)`` on the line, and the scan is about a third faster than
that pattern's look-behind."""


def maybe_spaced(text: str) -> bool:
    """False when the line cannot hold a spaced run (fewer than four one-letter tokens): a
    cheap test before ``spaced_runs``, which most lines fail."""
    return len(_SPACE_SINGLE.findall(" " + text)) >= 4


def spaced_runs(tokens: list[str]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of letter-spaced runs among whitespace tokens."""
    runs, i, n = [], 0, len(tokens)
    while i < n:
        if not _short(tokens[i]):
            i += 1
            continue
        j = i
        while j < n and _short(tokens[j]):
            j += 1
        singles = sum(1 for t in tokens[i:j] if len(t) == 1 and t.isalpha())
        if singles >= 4 and singles >= 0.5 * (j - i):
            runs.append((i, j))
        i = j
    return runs


def segment_letters(s: str, vocab: Vocabulary, maxlen: int = 24) -> list[str]:
    """Cheapest split of a string of letters into words (case kept from the input)."""
    return list(_segment(s, vocab, maxlen))


_GENERAL_COSTS: dict[str, tuple[str | None, float]] = {}
"""Per string: the word whose count ``Vocabulary.cost`` reads for it (None: none) and its cost
in a text that has not that word, which is general English's alone: the same in every text
(texts share most strings the segmenter tries). Bounded."""
_NO_COUNTS = Vocabulary()


def _counted_word(w: str) -> str | None:
    """The lower-case word whose count in the text ``Vocabulary.cost(w)`` reads (it reads at
    most one: a possessive or a final apostrophe off, first), None when it reads none."""
    w = w.lower().replace("'", "’")
    while not w.startswith("’"):
        if w.endswith("’s") and len(w) > 2:
            w = w[:-2].lower().replace("'", "’")
        elif w.endswith("’") and len(w) > 1:
            w = w[:-1].lower().replace("'", "’")
        else:
            return w
    return None


class _CostMemo(dict):
    """``vocab.cost`` of each string asked for, computed on first use (``__missing__``: a
    lookup that finds the string costs no Python call). A string whose counted word the text
    has not costs what general English says, taken from ``_GENERAL_COSTS``."""

    def __init__(self, vocab: Vocabulary):
        super().__init__()
        self.vocab = vocab
        self.counts = vocab.counts
        english_table()  # (``__missing__`` reads it as ``_TABLE[0]``)

    def __missing__(self, w: str) -> float:
        general = _GENERAL_COSTS.get(w)
        if general is not None:
            counted, c = general
            if counted is not None and counted in self.counts:
                c = self.vocab.cost(w)  # the text's own count may lower it
        else:
            if w.isascii() and w.isalpha() and (counted := w.lower()) not in _TABLE[0] \
                    and not self.counts.get(counted, 0):
                # (Most strings tried: ASCII letters, no word in general English nor in the
                # text ('tim', 'imeo'): ``word_cost``'s price of an unknown string, without
                # its calls.)
                assert counted is not None  # (set in the test above)
                c = 24.0 + 1.5 * len(counted)
            elif "’" not in w and "'" not in w:
                # (No apostrophe: the counted word is the lower case, and the cost is
                # ``word_cost`` of it, without the possessive tests.)
                counted = w.lower()
                c = self.vocab.word_cost(counted)
            else:
                counted, c = _counted_word(w), self.vocab.cost(w)
            # Without the counted word, the text's cost is general English's alone (the
            # usual case: one computation serves both).
            own = counted is not None and counted in self.counts
            if len(_GENERAL_COSTS) >= 500_000:
                _GENERAL_COSTS.clear()
            _GENERAL_COSTS[w] = (counted, _NO_COUNTS.cost(w) if own else c)
        self[w] = c
        return c


def _segment(s: str, vocab: Vocabulary, maxlen: int) -> tuple[str, ...]:
    costs = vocab.memo.get("cost")
    if costs is None:
        costs = vocab.memo["cost"] = _CostMemo(vocab)
    n = len(s)
    best = [0.0] * (n + 1)
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        # The cheapest last word ending at j; on a tie the earliest start, as a scan with a
        # strict '<' would keep.
        lo = max(0, j - maxlen)
        cands = [best[i] + costs[s[i:j]] for i in range(lo, j)]
        c = min(cands)
        best[j], back[j] = c, lo + cands.index(c)
    out, j = [], n
    while j > 0:
        out.append(s[back[j]:j])
        j = back[j]
    return tuple(reversed(out))


def respace(collapsed: str, vocab: Vocabulary) -> str:
    """Words back into a collapsed run: letters are segmented, punctuation re-spaced."""
    parts = re.findall(r"[A-Za-z\u00c0-\u024f’']+|[^A-Za-z\u00c0-\u024f’']", collapsed)
    out = ""
    for k, p in enumerate(parts):
        if _LETTERS.fullmatch(p):
            # 'theY' + '.': a capital after lower case starts a new word (an initial here).
            chunks = re.split(r"(?<=[a-z])(?=[A-Z])", p)
            words = " ".join(w for c in chunks for w in segment_letters(c, vocab))
            is_initial = len(p) == 1 and p.isupper() and k + 1 < len(parts) \
                and parts[k + 1] == "."
            piece = p if is_initial else words
        else:
            piece = p
        if out and not out.endswith(tuple(_NO_SPACE_AFTER)) and not piece.startswith(
                tuple(_NO_SPACE_BEFORE)) or out and out[-1] in ".,;:!?”" and piece[:1].isalnum() or out and out[-1] in ".,;:!?”" and piece[:1] in _OPENING:
            out += " "
        out += piece
    return re.sub(r" {2,}", " ", out)


_POSSESSIVE = re.compile(r"[’']s?$")


def _core(tok: str) -> str:
    """The letters a token would give as a word: punctuation and a possessive off."""
    core = tok.strip(".,;:!?”“‘()")
    if "’" in core or "'" in core:
        core = _POSSESSIVE.sub("", core).strip("’")
    return core


def _fragment(tok: str, vocab: Vocabulary) -> bool:
    """A token that is probably a piece of a spaced word rather than a word of its own."""
    core = _core(tok)
    return bool(core) and core.isalpha() and (len(core) <= 2 or not vocab.known(core, 1e-6, 3))


_NEVER_WEAK: set[str] = set()
"""Tokens that are no piece in any text, whatever its vocabulary: common English words (and
the one-letter words), tokens without a word-like core, cores that general English knows,
and tokens that can stand in no merge group. Shared by every text; bounded."""


def _never_weak(tok: str, t: str) -> bool:
    """``_weak_tokens``'s decision for ``tok`` (``t`` without closing punctuation) where general
    English settles it, without the text's counts."""
    w = t.lower()
    if w in ("a", "i") or len(w) != 1 and general_frequency(w) >= 1e-5:
        return True  # vocab.known(t, 1e-5, 5) in every text
    if not (tok.isalpha() or _LAST_PIECE.match(tok)):
        return True  # a group holding it fails whatever else it holds ('“I')
    core = _core(t)
    # Never a fragment: no alphabetic core, or a long core that general English knows.
    return not core or not core.isalpha() or len(core) > 2 and len(core.lower()) != 1 and \
        general_frequency(core.lower()) >= 1e-6


def _weak_tokens(tokens: Iterable[str], vocab: Vocabulary) -> AbstractSet[str]:
    """Those of ``tokens`` that may be pieces of a split word (for ``rejoin_pieces``): a
    fragment, and not a common word. Decisions are memoised as sets (per vocabulary, and for
    what general English settles, for every text), so the usual line is settled by set
    operations, without a Python call per token. (A set of tokens is read as it is.)"""
    weak: set[str] = vocab.memo.setdefault("weak", set())
    strong: set[str] = vocab.memo.setdefault("strong", set())
    seen = tokens if isinstance(tokens, (set, frozenset)) else set(tokens)
    if seen <= strong:
        return set()
    rest = seen - strong - _NEVER_WEAK
    for tok in rest - weak:
        t = tok.rstrip(".,;:!?”’)")
        if _never_weak(tok, t):
            if len(_NEVER_WEAK) >= 500_000:
                _NEVER_WEAK.clear()
            _NEVER_WEAK.add(tok)
            strong.add(tok)
        elif _fragment(t, vocab) and not vocab.known(t, 1e-5, 5):
            weak.add(tok)
        else:
            strong.add(tok)
    return rest & weak


def _piece_len(tok: str) -> int:
    """Letters a weak token gives a merged word (it is alphabetic, or letters then
    punctuation)."""
    if tok.isalpha():
        return len(tok)
    m = _LAST_PIECE.match(tok)
    assert m is not None  # else never weak (``_never_weak``)
    return len(m.group(1))


def weak_pieces(tokens: Iterable[str], vocab: Vocabulary, min_piece: int = 1) -> set[str]:
    """The weak ones among ``tokens`` (a text's lines split on spaces) long enough to be a
    piece: a line with none of them is left as it is by ``rejoin_pieces`` (a group of tokens
    merges only when it holds a weak token, and only when every piece is at least
    ``min_piece`` letters)."""
    weak = _weak_tokens(tokens, vocab)
    return {t for t in weak if _piece_len(t) >= min_piece}


def _all_known(tokens: list[str], vocab: Vocabulary, min_general: float = 1e-7) -> bool:
    """Every word of ``tokens`` (letters only, punctuation aside) is a known word."""
    return all(vocab.known(w, min_general) for t in tokens for w in _LETTERS.findall(t))


def collapse_line(text: str, vocab: Vocabulary) -> str:
    """Collapse every letter-spaced run of a line (with the partial words at its edges), then
    rejoin words left split in two or three pieces ('rem ai n', 'fr am ew ork')."""
    tokens = text.split()
    runs = spaced_runs(tokens)
    if not runs:
        return text
    pieces: list[str] = []
    i = 0
    for a, b in runs:
        a0, b0 = max(a, i), b
        # A word may be half spaced ('und e r s t a n d', 'D E D I CATE D'): take fragment
        # neighbours in, and one whole word on each side; the segmenter decides the spaces.
        while a0 > i and _fragment(tokens[a0 - 1], vocab) and a0 - 1 >= i:
            a0 -= 1
        if a0 > i and tokens[a0 - 1][-1:].isalpha():
            a0 -= 1
        while b0 < len(tokens) and _fragment(tokens[b0], vocab):
            b0 += 1
        if b0 < len(tokens) and tokens[b0].isalpha():
            b0 += 1
            while b0 < len(tokens) and len(tokens[b0]) == 1 and not vocab.known(tokens[b0]):
                b0 += 1
        pieces.extend(tokens[i:a0])
        run = tokens[a0:b0]
        collapsed = respace("".join(run), vocab)
        if _all_known(run, vocab) and not _all_known(collapsed.split(), vocab, 1e-6):
            # Every piece is a word ('a a a a' in prose) and the collapse makes a rare or
            # unknown one ('aaaa'): the spacing was the words' own.
            collapsed = " ".join(run)
        pieces.append(collapsed)
        i = b0
    pieces.extend(tokens[i:])
    text = re.sub(r"(?<![\d\w])(\d) (?=\d)", r"\1", " ".join(pieces))
    text = re.sub(r"(?<![\d\w])(\d) (?=\d)", r"\1", text)
    return rejoin_pieces(text, vocab)


_MERGES: dict[tuple, tuple[str, int] | None] = {}
"""``_merge_at``'s answer per group of tokens (see ``rejoin_pieces``); bounded."""


class _Unseen(enum.Enum):
    UNSEEN = enum.auto()


_UNSEEN: Final = _Unseen.UNSEEN  # not in ``_MERGES`` (its own type, so a checker narrows it)


def rejoin_pieces(text: str, vocab: Vocabulary, min_piece: int = 1, min_word: int = 1,
                  weak_here: AbstractSet[str] | None = None,
                  tokens: list[str] | None = None) -> str:
    """Merge 2-4 neighbouring tokens when together they make a common word and at least one of
    them is no word by itself ('tha t', 'meas ures'). Unsafe on real short words, hence the
    demand that the merged word be common and a piece be unknown. ``weak_here``: the text's
    weak tokens of ``min_piece`` letters, when the caller has them (``weak_pieces``);
    ``tokens``: ``text.split(" ")``, when the caller has it."""
    if tokens is None:
        tokens = text.split(" ")
    if weak_here is None:
        weak_here = _weak_tokens(tokens, vocab)
        if min_piece > 1:
            weak_here = {t for t in weak_here if _piece_len(t) >= min_piece}
    if not weak_here:
        return text  # nothing to merge: " ".join(tokens) is the text itself
    weak = [t in weak_here for t in tokens]
    # Only a group with a weak token can merge: the starts tried are the three positions
    # before each weak token and the token itself, in order (as a scan of every position).
    starts = sorted({s for j, w in enumerate(weak) if w for s in range(max(0, j - 3), j + 1)})
    # Which tokens can be a piece before the last (alphabetic, min_piece letters): every
    # group tried asks it of its first and inner tokens.
    whole = [t.isalpha() and len(t) >= min_piece for t in tokens]
    out: list[str] = []
    i = 0
    for s in starts:
        if s < i or not whole[s]:
            continue
        # The merge at ``s`` reads only the (up to) four tokens from ``s`` and whether each
        # is weak, and general English (the same for every text): memoised on those for the
        # whole process, since lines around weak tokens repeat (some 10^4 distinct groups
        # among 10^5 tried in the 10x corpus).
        key = (tuple(tokens[s:s + 4]), tuple(weak[s:s + 4]), min_piece, min_word)
        merged = _MERGES.get(key, _UNSEEN)
        if merged is _UNSEEN:
            if len(_MERGES) >= 200_000:
                _MERGES.clear()
            merged = _MERGES[key] = _merge_at(tokens, weak, whole, s, min_piece, min_word)
        if merged is not None:
            out.extend(tokens[i:s])
            out.append(merged[0])
            i = s + merged[1]
    out.extend(tokens[i:])
    return " ".join(out)


def _merge_at(tokens: list[str], weak: list[bool], whole: list[bool], i: int, min_piece: int,
              min_word: int) -> tuple[str, int] | None:
    """The merged word starting at token ``i`` and how many tokens it takes (4, 3 or 2 tried
    in that order), or None. Every piece but the last is a whole alphabetic token (``whole``),
    the last may carry punctuation after its letters; each piece has ``min_piece`` letters."""
    if not whole[i]:
        return None  # the first token is a whole piece in every group tried
    first = tokens[i]
    for k in (4, 3, 2):
        if i + k > len(tokens) or not any(weak[i:i + k]) or not all(whole[i + 1:i + k - 1]):
            continue
        inner = tokens[i + 1:i + k - 1]
        last = _LAST_PIECE.match(tokens[i + k - 1])
        if not last or len(last.group(1)) < min_piece:
            continue
        word = first + "".join(inner) + last.group(1)
        if len(word) < min_word:
            continue
        if not (word.islower() or word.isupper() or word[1:].islower()):
            continue
        if general_frequency(word.lower()) >= 1e-6:
            return word + last.group(2), k
    return None
