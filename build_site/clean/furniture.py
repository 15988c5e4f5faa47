"""Page furniture: lines a printer, a browser or a scanner added, which the author never wrote.

Each fixer takes the lines and returns (kept lines, changes). A dropped line is recorded as a
``Change`` with the rule that dropped it, so the proofreader's report accounts for every line.
Fixers run in the order of ``FIXERS``; each docstring says what it drops and why that is safe.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, repeat
from operator import and_, attrgetter, ne, not_

from ..model import Change, Line

TERMINAL = tuple('.?!:;"”’)…')


@dataclass(frozen=True)
class FurnitureConfig:
    """Per-work knobs; each set in ``work.yml`` under ``cleaning`` with a reason."""

    watermarks: tuple[str, ...] = ()
    """Phrases a reprint stamped over the pages (dropped as whole lines, or cut when glued)."""
    boilerplate: tuple[str, ...] = ()
    """Regexes of lines that are site navigation or printout chrome in this source."""
    extra: dict = field(default_factory=dict)


Fixer = Callable[[list[Line], FurnitureConfig], tuple[list[Line], list[Change]]]


def _next_text(lines: Sequence[Line], i: int, step: int) -> Line | None:
    j = i + step
    while 0 <= j < len(lines):
        if lines[j].text.strip():
            return lines[j]
        j += step
    return None


def normalise_whitespace(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """NBSP and tabs to spaces, trailing spaces off, leading page-start spaces off.

    Whitespace carries no words; the page-start space is kept only as the line's position.
    """
    # C-level maps over every line, and a new Line only where the text changes (a Python
    # step per line cost most of this fixer): the pattern runs only where the text holds
    # one of its characters at all.
    texts = list(map(attrgetter("text"), lines))
    joined = "\n".join(texts)
    odd = any(c in joined for c in _ODD_SPACE_CHARS)
    fixed = list(map(str.strip, map(_ODD_SPACE.sub, repeat(" "), texts) if odd else texts))
    out = list(lines)
    for k in compress(count(), map(ne, fixed, texts)):
        out[k] = Line(lines[k].number, fixed[k])
    return out, []


_ODD_SPACE_CHARS = "\u00a0\t\u2007\u202f"
_ODD_SPACE = re.compile(f"[{_ODD_SPACE_CHARS}]")


_URL_FOOTER = re.compile(
    r"^(https?://\S+|www\.\S+)(\s+\(\d+ of \d+\))?(\s+\[\d{1,2}/\d{1,2}/\d{2,4}[ \d:]*\])?\s*$"
)


def drop_printout_footers(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """A browser's print footer: the page URL, '(3 of 5)', a timestamp, and the page title
    line printed just above it. They always interrupt a sentence, so they are dropped whole."""
    drop: dict[int, str] = {}
    for i, ln in enumerate(lines):
        if _URL_FOOTER.match(ln.text) and ("(" in ln.text or "[" in ln.text):
            drop[i] = "printout footer (page URL, page count, timestamp)"
            prev = i - 1
            while prev >= 0 and not lines[prev].text:
                prev -= 1
            if prev >= 0 and len(lines[prev].text) < 80 and not lines[prev].text.endswith(TERMINAL):
                drop[prev] = "printout header (page title above the URL footer)"
    return _apply_drops(lines, drop, "printout-footer")


def drop_boilerplate(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Lines matching the work's declared boilerplate patterns (site navigation and the like)."""
    pats = [re.compile(p) for p in cfg.boilerplate]
    if not pats:
        return lines, []
    drop = {i: "declared boilerplate" for i, ln in enumerate(lines)
            if ln.text and any(p.search(ln.text) for p in pats)}
    return _apply_drops(lines, drop, "boilerplate")


def drop_watermarks(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Watermark words stamped by a reprint: whole lines equal to a watermark word or phrase
    are dropped; a capitalised watermark word glued to a lowercase word ('JanuCOMMERCIAL') is
    cut and the word made whole with the next line ('ary'); watermark words read into the
    edge of a text line are cut (``_strip_edge_watermarks``)."""
    if not cfg.watermarks:
        return lines, []
    words = sorted({w for phrase in cfg.watermarks for w in phrase.split()} | set(cfg.watermarks),
                   key=len, reverse=True)
    alternatives = "|".join(map(re.escape, words))
    long_list = [w for w in words if len(w) > 3]  # a glued word holds one of them
    long_words = "|".join(map(re.escape, long_list))
    whole = re.compile(rf"^(?:(?:{alternatives})\s*)+$")
    glued = re.compile(rf"(?<=[a-z])(?:{long_words})(?=[a-z]|\s|$)")
    from ..paragraphs import typical_width  # paragraphs imports clean

    width = typical_width(lines)
    out: list[Line] = []
    changes: list[Change] = []
    carry = False  # the previous kept line ended in half a word cut by a watermark
    # Membership in a set (the list's order only builds the patterns), and the lines that
    # hold a long watermark word found by one search of the text per word: a line changed
    # on the way (a rejoined or cut word) is asked again below.
    word_set = frozenset(words)
    holding = _lines_holding([ln.text for ln in lines], long_list)
    for k, raw in enumerate(lines):
        ln = raw
        if ln.text and whole.match(ln.text):
            changes.append(Change("watermark", "dropped", ln.number, ln.text, "",
                                  "watermark line stamped by the reprint"))
            continue
        if carry and ln.text:
            carry = False
            m = re.match(r"([a-z]+)(\S*)\s*", ln.text)
            if m:
                k = max(k for k in range(len(out)) if out[k].text)  # the line with the half
                prev = out[k]
                half = prev.text.rsplit(" ", 1)[-1]
                head = prev.text[: len(prev.text) - len(half)].rstrip()
                changes.append(Change("watermark", "joined", ln.number, m.group(1),
                                      half + m.group(1), "word rejoined across the cut watermark"))
                if k == len(out) - 1 and not head.endswith(TERMINAL) and (
                        not head or not ln.text[m.end():]
                        or keeps_full(ln.text, half + ln.text, width)):
                    # The half moves down to the rest of its word. A line that held nothing
                    # else (a watermark line the half was glued to) goes: moved up, the
                    # half would take the word off a full line, which would then read as a
                    # paragraph's short last line. (The joined change names both halves.)
                    if head:
                        out[k] = Line(prev.number, head)
                    else:
                        del out[k]
                    ln = Line(ln.number, half + ln.text)
                else:
                    out[k] = Line(prev.number, prev.text + m.group(1) + m.group(2))
                    ln = Line(ln.number, ln.text[m.end():])
                    if not ln.text:
                        continue
        edge = _strip_edge_watermarks(ln.text, word_set, cfg.watermarks)
        if edge != ln.text:
            changes.append(Change("watermark", "changed", ln.number, ln.text, edge,
                                  "watermark words read into the start or end of a text line"))
            ln = Line(ln.number, edge)
        glued_here = k in holding if ln is raw else any(w in ln.text for w in long_list)
        new = glued.sub("", ln.text) if glued_here else ln.text
        if new != ln.text:
            changes.append(Change("watermark", "changed", ln.number, ln.text, new,
                                  "watermark word glued to a word"))
            carry = bool(re.search(r"[a-z]$", new)) and not re.search(r"[a-z]$", ln.text)
            ln = Line(ln.number, new)
        out.append(ln)
    return out, changes


def _lines_holding(texts: list[str], needles: list[str]) -> set[int]:
    """Indices of the ``texts`` holding any of ``needles`` as a substring: ``str.find`` over the
    text joined by newlines, from each line that holds one on to the next line (a needle with
    a newline of its own is looked for line by line)."""
    if not texts or any("\n" in w for w in needles):
        return {k for k, t in enumerate(texts) if any(w in t for w in needles)}
    joined = "\n".join(texts)
    starts = list(accumulate((len(t) + 1 for t in texts), initial=0))
    found: set[int] = set()
    for w in needles:
        at = joined.find(w)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            found.add(k)
            at = joined.find(w, starts[k + 1])
    return found


def keeps_full(line: str, with_word: str, width: int | None) -> bool:
    """Where a word cut at a line end is made whole again: may its first half move down to
    the next line? Yes when that line is one full printed line and stays full with the word;
    moving the second half up instead would leave the rest of it reading as a paragraph's
    short last line. Overlong lines (a PDF's joined lines) are left to move up. (A next line
    holding only the second half moves down too: moved up, the word's full stop would end an
    overlong line that no longer reads as a paragraph's last.)"""
    from ..paragraphs import tail_is_short  # paragraphs imports clean

    if not width:
        return False
    return len(line) <= width and not tail_is_short(line, width) \
        and not tail_is_short(with_word, width)


def _strip_edge_watermarks(text: str, words: Container[str], phrases: tuple[str, ...]) -> str:
    """Watermark words the scan read into the edge of a text line ('ONLY together ...',
    '... the harbour GREY OWL'): cut where they stand between the line's edge and lower-case
    text. Unsafe for a watermark word the author also prints in capitals for emphasis ('NOT'),
    so the cut run must be two or more consecutive words of a phrase ('GREY OWL') or words of
    four letters or more."""
    if text.split(" ", 1)[0] not in words and text.rsplit(" ", 1)[-1] not in words:
        return text  # neither edge is a watermark word (most lines): nothing to cut
    return _cut_edge_watermarks(text, words, phrases)


def _cut_edge_watermarks(text: str, words: Container[str], phrases: tuple[str, ...]) -> str:
    """``_strip_edge_watermarks`` without its test of the edges: the scan itself."""
    toks = text.split(" ")

    def stamp(run: list[str]) -> bool:
        return bool(run) and all(t in words for t in run) and (
            len(run) >= 2 and any(f" {' '.join(run)} " in f" {p} " for p in phrases)
            or all(len(t) > 3 for t in run))

    a = 0
    while a < len(toks) and toks[a] in words:
        a += 1
    if 0 < a < len(toks) and toks[a][:1].islower() and stamp(toks[:a]):
        toks = toks[a:]
    b = len(toks)
    while b > 0 and toks[b - 1] in words:
        b -= 1
    if 0 < b < len(toks) and re.search(r"[a-z][,;]?$", toks[b - 1]) and stamp(toks[b:]):
        toks = toks[:b]
    return " ".join(toks)


_NO_LETTERS = re.compile(r"^[^A-Za-z0-9\u00c0-\u024f\u0400-\u04ff]+$")
_SECTION_BREAK = re.compile(r"^(\*\s*){3}$|^(\*\s){2}\*$")


_ELLIPSIS_LINE = re.compile(r"^[\[(]?(?:\.\s?){3,4}[\])]?$|^…$")


def drop_debris(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Scanner specks and junk markers: lines with no letter or digit ('(', '!(@$', '.'), and
    1-2 character lines mixing a letter with a speck ('•J'). Kept: '* * *' (a section break),
    '[...]' (an editor's omission), and short words or numbers ('of', '2.'), which may be
    list labels or the shreds of a broken column."""
    drop = {}
    for i, ln in enumerate(lines):
        t = ln.text
        if not t:
            continue
        # A line of three or more characters that opens with an ASCII letter or digit (most
        # lines) is none of these: every pattern below needs another first character.
        c = t[0]
        if len(t) > 2 and ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9"):
            continue
        if _SECTION_BREAK.match(t) or _ELLIPSIS_LINE.match(t):
            continue
        if _NO_LETTERS.match(t):
            drop[i] = "no letters: scanner speck or junk marker"
        elif len(t) <= 2 and re.search(r"[^\w.]", t):
            drop[i] = "stray speck beside a letter"
    return _apply_drops(lines, drop, "debris")


_PAGE_NUMBER = re.compile(r"\d{1,4}")
_NOT_KEY = re.compile(r"[^a-z0-9]")
_NOT_KEY_BYTES = bytes(b for b in range(128) if not (chr(b).isdigit() or "a" <= chr(b) <= "z"))


def _is_page_number(t: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(t))


def head_key(t: str) -> str:
    """Compare heads on letters and digits only, so 'J. V. S T A L I N' matches 'J. V. STALIN'
    and 'February 3' does not match 'February 20'."""
    low = t.lower()
    if low.isascii():  # bytes.translate deletes in C, about twice as fast as the regex
        return low.encode().translate(None, _NOT_KEY_BYTES).decode()
    return _NOT_KEY.sub("", low)


_NOT_KEY_OR_NEWLINE_BYTES = _NOT_KEY_BYTES.replace(b"\n", b"")


def head_keys(texts: Sequence[str]) -> list[str]:
    """``head_key`` of each of ``texts``, from one pass over them joined by newlines (a call
    per line cost about as much as the rest of ``drop_running_heads``): lower-cased, then
    every character outside [a-z0-9] deleted, the non-ASCII ones by the ASCII encoding
    (none is in [a-z0-9]), the others by ``bytes.translate``; the newlines are kept to cut
    the keys apart again. Texts holding a newline themselves are keyed one by one. Only
    'İ' and the Kelvin sign lower-case into ASCII letters ('i̇', 'k'): where neither stands,
    the ASCII bytes are lower-cased after the encoding."""
    joined = "\n".join(texts)
    if not texts or joined.count("\n") != len(texts) - 1:
        return [head_key(t) for t in texts]
    if "\u0130" in joined or "\u212a" in joined:  # the two that lower-case into ASCII
        keyed = joined.lower().encode("ascii", "ignore")
    else:  # (lower-casing the ASCII bytes alone is several times faster)
        keyed = joined.encode("ascii", "ignore").lower()
    return keyed.translate(None, _NOT_KEY_OR_NEWLINE_BYTES).decode().split("\n")


def _isolated(lines: Sequence[Line], i: int) -> bool:
    before = lines[i - 1].text if i > 0 else ""
    after = lines[i + 1].text if i + 1 < len(lines) else ""
    return not before and not after


def _mid_sentence(lines: Sequence[Line], i: int, skip: Container[int]) -> bool:
    """The text after line i goes on with a lower-case word (leading dashes and quotes
    ignored): the sentence runs across it."""
    j = i - 1
    while j >= 0 and (not lines[j].text or j in skip):
        j -= 1
    k = i + 1
    while k < len(lines) and (not lines[k].text or k in skip):
        k += 1
    if j < 0 or k >= len(lines):
        return False
    nxt = lines[k].text.lstrip("-—–'\"“‘ ")
    return nxt[:1].islower() and not re.match(r"\(?[a-z0-9]{1,2}\)", nxt)


_HEAD_END = tuple(".,;:!?")
_LONG_HEAD = 15


def _containing(keys: Iterable[str], weight: Counter[str]) -> dict[str, int]:
    """For each of ``keys``, the summed weight of the distinct keys of ``weight`` that contain
    it: one scan of all long keys joined (keys are [a-z0-9], so the newline joins no two),
    not a Python loop over every key for every head."""
    total = _container_weight(weight)
    return {key: total(key) for key in keys}


def _container_weight(weight: Counter[str]) -> Callable[[str], int]:
    """``_containing`` for one key at a time (the long keys joined once)."""
    longer = [k for k in weight if len(k) >= _LONG_HEAD]
    joined = "\n".join(longer)
    starts = list(accumulate((len(k) + 1 for k in longer[:-1]), initial=0))

    def total(key: str) -> int:
        out, pos = 0, joined.find(key)
        while pos >= 0:
            n = bisect_right(starts, pos) - 1
            out += weight[longer[n]]
            pos = joined.find(key, starts[n] + len(longer[n]) + 1)
        return out

    return total


class _HeadCounts(dict):
    """How often each head key stands in the text (a long one also inside a longer line,
    'THE ' + head), found when first asked for: most head keys never are (only those of heads
    beside a page number or cutting a sentence), and each long one costs a scan of the text."""

    def __init__(self, exact: Counter[str]):
        super().__init__()
        self.exact = exact
        self.contained: Callable[[str], int] | None = None

    def __missing__(self, key: str) -> int:
        if len(key) < _LONG_HEAD:
            n = self.exact[key]
        else:
            if self.contained is None:
                self.contained = _container_weight(self.exact)
            n = self.contained(key)
        self[key] = n
        return n


_KEYED_LENGTHS = range(1, 121)  # the lines whose head keys are counted: not empty, <= 120
_HEAD_LENGTHS = range(1, 61)  # a head: not empty, <= 60


def drop_running_heads(lines: list[Line], cfg: FurnitureConfig) -> tuple[list[Line], list[Change]]:
    """Running heads and page numbers. A page's top furniture is a short line standing alone
    between blank lines: a bare number beside a head (a short line without final punctuation,
    within two text lines of the number). A head recognised that way is dropped wherever else
    it stands alone; a lone number or a recurring short line is dropped only where it cuts a
    sentence in two. Unsafe for lone numbers between sentences (note numbers, list numbers):
    those are kept."""
    # Which lines stand alone, and which may be heads, found by C-level maps over the lines
    # (a Python step per line cost a third of this fixer): a line is ``_isolated`` when the
    # lines before and after it are blank, or missing at the text's edges.
    texts = list(map(attrgetter("text"), lines))
    lens = list(map(len, texts))
    blank_before = [True, *map(not_, texts[:-1])]
    blank_after = [*map(not_, texts[1:]), True]
    cand = list(compress(count(), map(and_, map(and_, map(bool, lens), blank_before),
                                      blank_after)))
    heads = {i for i in compress(count(), map(and_, map(_HEAD_LENGTHS.__contains__, lens),
                                              blank_after))
             if not _is_page_number(texts[i]) and not texts[i].endswith(_HEAD_END)}
    numbers = {i for i in cand if _is_page_number(lines[i].text)}
    keys = head_keys(texts)
    key_of = {i: keys[i] for i in heads}
    exact = Counter(compress(keys, map(_KEYED_LENGTHS.__contains__, map(len, texts))))
    # A long head also counts where it is part of a longer title ('THE ' + head).
    counts = _HeadCounts(exact)
    # beside() keeps the iteration order of the ``heads`` set, which settles ties below.
    order = {h: n for n, h in enumerate(heads)}

    def beside(i: int) -> list[int]:
        near = [h for h in range(i - 4, i + 5) if h in heads and _isolated(lines, h)
                and not any(lines[m].text for m in range(min(h, i) + 1, max(h, i))
                            if m not in heads and m not in numbers)]
        return sorted(near, key=order.__getitem__)

    drop: dict[int, str] = {}
    proven: set[str] = set()
    for i in sorted(numbers):
        near = [h for h in beside(i) if counts[key_of[h]] >= 2]
        if near:
            h = min(near, key=lambda h: (-counts[key_of[h]], abs(h - i)))
            drop[i] = "page number"
            drop[h] = "running head"
            proven.add(key_of[h])
    # A head seen once (the title it repeats is lost) still counts beside a number that fits
    # the sequence of proven page numbers: larger than the one before, smaller than the next.
    pages = sorted((i, int(lines[i].text)) for i in drop if drop[i] == "page number")
    at = [j for j, _ in pages]
    for i in sorted(numbers - set(drop)):
        caps = [h for h in beside(i) if lines[h].text.isupper() and h not in drop]
        k = bisect_left(at, i)  # pages[:k] stand before line i, pages[k:] after it
        value = int(lines[i].text)
        if caps and k and value > pages[k - 1][1] and (k == len(pages) or value < pages[k][1]) \
                and value - pages[k - 1][1] <= (i - pages[k - 1][0]) / 10 + 3:
            drop[i] = "page number"
            drop[caps[0]] = "running head"
    first_seen: set[str] = set()
    for i in sorted(heads):
        key = key_of[i]
        if i not in drop and _mid_sentence(lines, i, drop):
            recurring = _isolated(lines, i) and (key in proven or counts[key] >= 2)
            repeated = key in first_seen and (key in proven or lines[i].text.isupper())
            if recurring or repeated:
                drop[i] = "running head"
        first_seen.add(key)
    for i in numbers:
        if i not in drop and _mid_sentence(lines, i, drop):
            drop[i] = "page number"
    return _apply_drops(lines, drop, "running-head")


def _apply_drops(lines: list[Line], drop: dict[int, str], rule: str) -> tuple[list[Line], list[Change]]:
    if not drop:  # most fixers drop nothing from most texts: no scan of every line then
        return list(lines), []
    changes = [Change(rule, "dropped", lines[i].number, lines[i].text, "", why)
               for i, why in sorted(drop.items())]
    return [ln for i, ln in enumerate(lines) if i not in drop], changes


FIXERS: tuple[Fixer, ...] = (
    normalise_whitespace,
    drop_printout_footers,
    drop_boilerplate,
    drop_watermarks,
    drop_debris,
    drop_running_heads,
)
