"""Paragraph reconstruction: where one of the author's paragraphs ends and the next begins,
and what kind of block each is.

Used by ``segment`` on the lines between headings. The signals are the text's own measure:
the typical line width (hard-wrapped texts), final punctuation on a short last line, the next
line's capital, and blank lines that do not fall inside a sentence or after a full line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import compress, repeat
from operator import and_, attrgetter, ge, not_

from .clean.furniture import TERMINAL
from .clean.text import join_lines
from .clean.vocabulary import english_table, zipf_en
from .model import Block, BlockKind, Change, Line, Section

BREAK_LINE = re.compile(r"^(\*\s*){3}$|^(\*\s){2}\*$")
LIST_ITEM = re.compile(r"^(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})\)|\d{1,2}\.\s)\s*\S")
STAGE = re.compile(r"^\((?:[A-Z][a-z]+ )?(?:[Aa]pplause|[Ll]aughter|[Cc]heers|[Ss]tormy|[Pp]rolonged"
                   r"|[Cc]ommotion|[Nn]oise|[Vv]oices?|[Ll]aughter and applause)[^()]{0,60}\)\.?$")
SIGNATURE = re.compile(r"^(?:Signed: )?(?:[A-Z]\. ?){1,3}[A-Z][a-z]+\.?$")
QUOTE_SOURCE = re.compile(r"\((?:[Ss]ee |[Cc]f\. )[^()]*(?:Vol\.|p\.|pp\.|Works)[^()]*\)\.?$")
PDF_DEBRIS = re.compile(r"\)Tj|\bT\*|\bTj\b")
OPENING = "\"“‘'"
UNREAD = re.compile(r"\w~|~\w")  # a letter the scan could not read, left unrepaired


def typical_width(lines: Sequence[Line]) -> int | None:
    """Median width of body lines, or None when the text is not hard-wrapped."""
    # (This runs over every line of a text, four times per conversion. The widths are
    # counted by a C-level Counter rather than sorted: a text has some 10^4 lines but a few
    # hundred distinct widths, over which the median and the count near it are read, as
    # ``statistics.median`` and bisection over the sorted widths gave them (tested).)
    counts = Counter(map(len, map(attrgetter("text"), lines)))
    body = sorted((w, c) for w, c in counts.items() if w >= 30)
    n = sum(c for _, c in body)
    if n < 20:
        return None
    below, low, high = 0, None, None  # the widths at sorted positions n//2 - 1 and n//2
    for w, c in body:
        if low is None and below + c > n // 2 - 1:
            low = w
        if below + c > n // 2:
            high = w
            break
        below += c
    assert low is not None and high is not None  # (both positions are among the n widths)
    med = high if n % 2 else (low + high) / 2
    near = sum(c for w, c in body if 0.8 * med <= w <= 1.25 * med)
    return int(med) if near >= 0.5 * n and med < 140 else None


def ends_sentence(text: str) -> bool:
    return text.endswith(TERMINAL)


def tail_is_short(text: str, width: int | None) -> bool:
    """Is the last printed line of ``text`` short? Lines joined at a hyphen are several
    printed lines long, so the tail is what remains after whole widths."""
    if not width:
        return True
    ratio = len(text) / width
    if ratio < 1:
        return ratio < 0.85
    frac = ratio - int(ratio)
    return 0.1 < frac < 0.85


def _starts_paragraph(nxt: str) -> bool:
    return nxt[:1].isupper() or nxt[:1] in "\"“‘'([—0123456789*"


def breaks_before(prev: str, nxt: str, blank_between: bool, width: int | None) -> bool:
    """Does a new paragraph start at ``nxt``?

    Hard-wrapped text: final punctuation on a short last line before a plausible start; or a
    blank line after a short line (a date, a source line, a signature) before a capital. A
    blank line after a full-width line is a page join, not a break. Unwrapped text: a blank
    line after a finished sentence, or after a short line such as 'Top secret'.
    """
    if not _starts_paragraph(nxt):
        return False
    if width is None:
        return blank_between and (ends_sentence(prev) or (len(prev) < 40
                                                          and not prev.endswith((",", "-"))))
    if LIST_ITEM.match(nxt) and ends_sentence(prev):
        return True  # a list item ('2) Has the ...') after a finished item or sentence
    short = tail_is_short(prev, width)
    if blank_between and short and not prev.endswith((",", "-", "—")):
        return True
    return ends_sentence(prev) and short


def block_kind(text: str) -> BlockKind:
    """What a joined paragraph is: a section break, a list item, a stage direction, a
    signature, a block quotation (closed by its source reference, or one quotation from
    start to end), garbled text, or prose."""
    if BREAK_LINE.match(text):
        return BlockKind.BREAK
    if is_damaged(text):
        return BlockKind.DAMAGED
    if STAGE.match(text) or SIGNATURE.match(text):
        return BlockKind.META
    if LIST_ITEM.match(text):
        return BlockKind.LIST_ITEM
    if text[:1] in OPENING and QUOTE_SOURCE.search(text) or is_whole_quotation(text):
        return BlockKind.QUOTE
    return BlockKind.PARAGRAPH


QUOTATION_WORDS = 25  # a shorter quoted paragraph is as likely a line of speech or a slogan


def is_whole_quotation(text: str) -> bool:
    """A paragraph that is one quotation from its first character to its last ('"... ."',
    '“...”'): the author set another's words apart, as print sets a block quotation. Only
    double quotes open it (single ones nest inside), and no other double quote of the kind
    may stand inside, so '"...," wrote Lenin, "..."' stays prose."""
    if text[:1] not in '"“':  # most paragraphs: no word count needed
        return False
    body = text.removesuffix(".")
    if len(text.split()) < QUOTATION_WORDS:
        return False
    if body[:1] == '"' and body.endswith('"'):
        return body.count('"') == 2
    if body[:1] == "“" and body.endswith("”"):
        return body.count("“") == 1 and body.count("”") == 1
    return False


def _splits_into_words(w: str, parts: int = 3) -> bool:
    if zipf_en(w) >= 2.0 or any(zipf_en(w[:k]) >= 3.0 for k in range(6, len(w) - 1)):
        return True
    if parts == 1:
        return False
    return any(zipf_en(w[:k]) >= 2.5 and _splits_into_words(w[k:], parts - 1)
               for k in range(3, len(w) - 2))


_EDGE = ".,;:!?\"“”‘’'()[]*—-"  # (stripped before a token is judged)


@lru_cache(maxsize=200_000)  # tokens repeat: a text of 100k words has ~15k distinct ones
def _garbled_weight(tok: str) -> int:
    """0 for a word, 1 for a garbled token, 2 for a long garbled one that is no compound."""
    if not _garbled(tok):
        return 0
    core = re.sub(r"[^A-Za-z0-9]", "", tok)
    return 2 if len(core) >= 12 and not _splits_into_words(core.lower()) else 1


_LETTER_DIGIT = re.compile(r"[A-Za-z]\d|\d[A-Za-z]")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s)")


def _garbled(tok: str) -> bool:
    core = tok.strip(_EDGE)
    if not core:
        return False
    alpha = core.isalpha()  # (a word of letters holds no digit: skip that search)
    if not alpha and len(core) >= 4 and _LETTER_DIGIT.search(core) and not _ORDINAL.fullmatch(
            core):
        return True
    if not alpha or len(core) < 2 or core.istitle():
        return False
    low = core.lower()
    if low.isascii() and english_table().get(low, 0.0) >= 2e-8:
        return False  # a listed word well above the cut (zipf 1.3), without the tokenizer
    return zipf_en(low) < 1.0


# Tokens known to weigh 0 (words): most paragraphs hold only such tokens, and one C-level
# ``issuperset`` over the paragraph answers for them without a call per token. Capped, as
# ``_garbled_weight``'s cache is: past the cap, tokens go the per-token way.
_PLAIN: set[str] = set()
_PLAIN_MAX = 200_000


def _listed(tokens: set[str]) -> list[str]:
    """Those of ``tokens`` that ``_garbled`` passes as words at its table test (letters,
    ASCII, listed above the cut), found by C-level maps over many tokens at once: the new
    tokens of a paragraph, in a fresh process most of the text's words."""
    toks = list(tokens)
    cores = list(map(str.strip, toks, repeat(_EDGE)))
    listed = map(ge, map(english_table().get, map(str.lower, cores), repeat(0.0)),
                 repeat(2e-8))
    return list(compress(toks, map(and_, map(and_, map(str.isalpha, cores),
                                             map(str.isascii, cores)), listed)))


def damaged_spans(text: str, window: int = 6, need: int = 3) -> list[tuple[int, int]]:
    """Token index ranges where at least ``need`` of ``window`` tokens are garbled."""
    toks = text.split()
    if _PLAIN.issuperset(toks):
        return []
    new = set(toks).difference(_PLAIN)
    # Many new tokens (a text's first paragraphs): the listed words among them at once.
    weights = dict.fromkeys(_listed(new), 0) if len(new) > 8 else {}
    # (C-level zip, map and compress rather than a comprehension and a generator: in a fresh
    # process most of a text's words pass here once, a Python step each.)
    rest = new.difference(weights)
    weights.update(zip(rest, map(_garbled_weight, rest)))
    if len(_PLAIN) < _PLAIN_MAX:
        _PLAIN.update(compress(weights, map(not_, weights.values())))
    bad = list(map(weights.get, toks, repeat(0)))
    spans: list[tuple[int, int]] = []
    if sum(bad) < need:  # most paragraphs: no window can reach ``need``
        return spans
    # The window's sum is kept as it slides (one token in, one out) rather than summed afresh
    # at every position: long paragraphs of an OCR text often reach ``need``.
    total = sum(bad[:window])
    for k in range(max(0, len(toks) - window + 1)):
        if k:
            total += bad[k + window - 1] - bad[k - 1]
        if total >= need:
            if spans and spans[-1][1] >= k:
                spans[-1] = (spans[-1][0], k + window)
            else:
                spans.append((k, k + window))
    return spans


def is_damaged(text: str) -> bool:
    """Text the source garbled: PDF operator debris ('Tj', 'T*'), a stretch where most
    tokens are no word, or a letter the scan could not read ('~ve') that no repair restored. Such text is shown marked, never repaired. Unsafe on passages in a
    foreign language or dense with unknown names (three unknown in six tokens)."""
    # The substring tests are what each pattern needs to match at all; they scan far faster.
    return bool(("Tj" in text or "T*" in text) and PDF_DEBRIS.search(text)) or bool(
        damaged_spans(text)) or bool("~" in text and UNREAD.search(text))


def make_block(lines: Sequence[Line], compounds: frozenset[str] = frozenset(),
               page_of: Mapping[int, str] | None = None) -> tuple[Block, list[Change]]:
    """Join a paragraph's lines and decide what kind of block it is; ``page_of`` (from
    ``Cleaned.page_of``) gives the print page the block starts on."""
    text, changes = join_lines(lines, compounds)
    page = (page_of or {}).get(lines[0].number, "")
    return Block(block_kind(text), text, lines[0].number, lines[-1].number, page=page), changes


def _with_page(b: Block, page: str) -> Block:
    """``dataclasses.replace(b, page=page)``, field by field: ``replace`` reads the fields'
    list and builds keyword arguments for every block of a paged text. (Every field of
    ``Block`` is named here: a test compares the two and lists the fields.)"""
    return Block(b.kind, b.text, b.first_line, b.last_line, b.refs, b.anchor, page, b.links,
                 b.connections)


def with_pages(sections: Sequence[Section], page_of: Mapping[int, str]) -> tuple[Section, ...]:
    """Fill ``Block.page`` from the cleaner's page map (print page of the block's first line),
    for note back-references and citations. Blocks that already have a page keep it."""
    if not page_of:
        return tuple(sections)

    def fix(sec: Section) -> Section:
        blocks = tuple(b if b.page or b.first_line not in page_of
                       else _with_page(b, page_of[b.first_line]) for b in sec.blocks)
        return replace(sec, blocks=blocks, children=tuple(fix(c) for c in sec.children))

    return tuple(fix(s) for s in sections)
